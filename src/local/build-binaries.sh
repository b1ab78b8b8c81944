#!/usr/bin/env bash
# Builds the local control plane's binaries from the Go module proxy and caches them outside the repo,
# together with the third-party YAML it needs at run time (kwok stages, PodGroup CRDs).
#   build-binaries.sh               the base layer: Kubernetes, etcd, kwok, helm, PodGroup CRDs
#   build-binaries.sh coscheduler   scheduler-plugins' kube-scheduler with the Coscheduling plugin
#   build-binaries.sh kubeflow-operator   Kubeflow's own Go operator, the peer of bench/operator.ts --peer
#   build-binaries.sh --check [LAYER]     only looks: prints the cache directory and exits 0 when the
#                                         layer is built, exits 3 when it is not
# Each layer is a cache entry of its own, so adding or bumping one never rebuilds the other.
# Prints the layer's cache directory on the last line of stdout; progress goes to stderr.
# Concurrent callers wait on a lock; a build is moved into place only when every binary ran.
set -euo pipefail

check_only=false
if [ "${1:-}" = --check ]; then check_only=true; shift; fi
layer=${1:-base}
case "$layer" in
  base | coscheduler | kubeflow-operator) ;;
  *) echo "build-binaries: unknown layer '$layer' (expected: base, coscheduler, kubeflow-operator)" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

command -v go >/dev/null || { echo "build-binaries: step 'find go': go is not on PATH; install Go >= 1.26 (the Debian/golang image has it)" >&2; exit 1; }
# No -mod=mod: once `go mod tidy` has pinned a wrapper module, a build must not quietly resolve anything else.
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOFLAGS=

go_version=$(go env GOVERSION)
# A layer's key hashes the assignments it depends on (comments are ignored).
assignments() { grep -v '^#' "$here/versions.env"; }
case "$layer" in
  base) key="k8s-${K8S_VERSION}_${go_version}_$(assignments | grep -Ev '^(COSCHEDULER_|KUBEFLOW_OPERATOR_)' | sha256sum | cut -c1-12)" ;;
  coscheduler) key="coscheduler-${SCHEDULER_PLUGINS_VERSION}_${go_version}_$(assignments | grep -E '^(COSCHEDULER_|SCHEDULER_PLUGINS_VERSION=)' | sha256sum | cut -c1-12)" ;;
  kubeflow-operator) key="kubeflow-operator-${KUBEFLOW_OPERATOR_VERSION}_${go_version}_$(assignments | grep '^KUBEFLOW_OPERATOR_' | sha256sum | cut -c1-12)" ;;
esac
root="${TRAINING_OPERATOR_BIN_CACHE:-$HOME/.cache/training-operator/k8s-bins}"
out="$root/$key"

if [ -f "$out/.complete" ]; then echo "$out"; exit 0; fi
if $check_only; then exit 3; fi
mkdir -p "$root"
exec 9>"$root/.lock"
if ! flock -n 9; then
  echo "build-binaries: another build holds $root/.lock; waiting for it" >&2
  flock 9
fi
if [ -f "$out/.complete" ]; then echo "$out"; exit 0; fi
# Work dirs of builds that were killed before their EXIT trap ran; we hold the lock, so none is in use.
rm -rf "$root"/.build.*

free_kb=$(df -Pk "$root" | awk 'NR==2{print $4}')
if [ "$free_kb" -lt $((8 * 1024 * 1024)) ]; then
  echo "build-binaries: step 'check disk': need about 8 GiB free under $root and the Go caches, have $((free_kb / 1024)) MiB" >&2
  exit 1
fi

work=$(mktemp -d "$root/.build.XXXXXX")
# Job control gives each step its own process group, so an interrupt can stop the compiler it started.
set -m
step_pid=
trap 'rm -rf "$work"' EXIT
trap 'if [ -n "$step_pid" ]; then kill -- "-$step_pid" 2>/dev/null || true; fi; exit 130' INT TERM
bin="$work/bin"
mkdir -p "$bin"
started=$SECONDS

step() { echo "build-binaries: [$((SECONDS - started))s] $*" >&2; }
fail() { echo "build-binaries: step '$1' failed. $2" >&2; exit 1; }
# Runs a step in the background (so `set -e` applies inside it) and prints a heartbeat: a cold build stays
# silent for minutes inside the Go compiler. On failure: the tail of the step's log, then the hint.
run_step() {
  local name=$1 hint=$2 t0=$SECONDS next=$((SECONDS + 30)); shift 2
  step "$name"
  "$@" >"$work/$name.log" 2>&1 &
  step_pid=$!
  while kill -0 "$step_pid" 2>/dev/null; do
    sleep 1
    if [ "$SECONDS" -ge "$next" ]; then
      step "still working: $name"
      next=$((next + 30))
    fi
  done
  if ! wait "$step_pid"; then
    tail -n 40 "$work/$name.log" >&2
    fail "$name" "$hint"
  fi
  step_pid=
  step "$name took $((SECONDS - t0))s"
}
module_dir() { (cd "$work" && go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'); }

# Kubernetes' staging modules: k8s.io/kubernetes requires them at v0.0.0, so a wrapper module replaces each
# with its published version.
staging=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
  cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api cri-client
  csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator
  kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils
  pod-security-admission sample-apiserver sample-cli-plugin sample-controller)
# The replace lines pinning every staging module at version $1.
staging_replaces() { for m in "${staging[@]}"; do printf '\tk8s.io/%s => k8s.io/%s %s\n' "$m" "$m" "$1"; done; }
# Linker flags that make a Kubernetes command report version $1: components check their emulation
# version against it, and the default (v0.0.0-master) fails that check.
version_ldflags() {
  local pkg flags="-s -w" minor
  minor=$(echo "$1" | cut -d. -f2)
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$1 -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  echo "$flags"
}

build_base() {
  mkdir -p "$work/k8s"
  {
    printf 'module local.test/k8s-bins\n\ngo 1.26\n\ngodebug default=go1.25\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$K8S_VERSION"
    staging_replaces "$K8S_STAGING_VERSION"
    printf ')\n'
  } >"$work/k8s/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager"\n\t_ "k8s.io/kubernetes/cmd/kube-scheduler"\n\t_ "k8s.io/kubernetes/cmd/kubectl"\n)\n' >"$work/k8s/tools.go"
  k8s_modules() { cd "$work/k8s" && go mod tidy; }
  k8s_build() {
    cd "$work/k8s"
    go build -trimpath -tags=selinux,notest,grpcnotrace -ldflags "$(version_ldflags "$K8S_VERSION")" -o "$bin/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  }
  run_step k8s-modules "the Go module proxy must serve k8s.io/kubernetes $K8S_VERSION and its staging modules at $K8S_STAGING_VERSION; if a staging module is reported at v0.0.0, add it to the staging list in $0" \
    k8s_modules
  run_step k8s-build "compiling Kubernetes needs ~3 GiB of memory and ~4 GiB of disk for the Go build cache; a missing module in the log above means the staging list in $0 is incomplete" \
    k8s_build

  # etcd: the server's main package is the root of go.etcd.io/etcd/server/v3, whose go.mod has relative
  # replaces, so it is built from a wrapper module too.
  mkdir -p "$work/etcd"
  printf 'module local.test/etcd-bin\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$work/etcd/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >"$work/etcd/tools.go"
  etcd_modules() { cd "$work/etcd" && go mod tidy; }
  etcd_build() { cd "$work/etcd" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3; }
  run_step etcd-modules "the Go module proxy must serve go.etcd.io/etcd/server/v3 $ETCD_VERSION" etcd_modules
  run_step etcd-build "see the log above" etcd_build

  # kwok and helm have no replace directives and install directly.
  run_step kwok-build "the Go module proxy must serve sigs.k8s.io/kwok $KWOK_VERSION" \
    env GOBIN="$bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  run_step helm-build "the Go module proxy must serve helm.sh/helm/v3 $HELM_VERSION" \
    env GOBIN="$bin" go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"

  # Third-party YAML comes from the module cache at build time, never from the repo: kwok's default stages
  # and the PodGroup CRDs are kept next to the binaries so that starting a cluster needs no Go.
  copy_kwok_stages() {
    local dir
    dir=$(module_dir "sigs.k8s.io/kwok@$KWOK_VERSION")
    mkdir -p "$bin/kwok-stages"
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
      pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      install -m 0644 "$dir/kustomize/stage/$f" "$bin/kwok-stages/$(basename "$f")"
    done
  }
  run_step kwok-stages "the Go module proxy must serve sigs.k8s.io/kwok $KWOK_VERSION" copy_kwok_stages

  mkdir -p "$bin/podgroup-crds"
  copy_scheduler_plugins_crd() {
    local dir
    dir=$(module_dir "sigs.k8s.io/scheduler-plugins@$SCHEDULER_PLUGINS_VERSION")
    install -m 0644 "$dir/config/crd/bases/scheduling.x-k8s.io_podgroups.yaml" "$bin/podgroup-crds/"
  }
  run_step scheduler-plugins-crd "the Go module proxy must serve sigs.k8s.io/scheduler-plugins $SCHEDULER_PLUGINS_VERSION (it lists no versions, but serves exact ones)" \
    copy_scheduler_plugins_crd

  # volcano.sh/volcano is not served here; Volcano's Makefile generates the same CRD from volcano.sh/apis.
  mkdir -p "$work/volcano"
  printf 'module local.test/volcano-crd\n\ngo 1.26\n\nrequire volcano.sh/apis %s\n' "$VOLCANO_APIS_VERSION" >"$work/volcano/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "volcano.sh/apis/pkg/apis/scheduling/v1beta1"\n' >"$work/volcano/tools.go"
  generate_volcano_crd() {
    GOBIN="$work/tools" go install "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_TOOLS_VERSION"
    cd "$work/volcano"
    go mod tidy
    "$work/tools/controller-gen" "crd:crdVersions=v1,generateEmbeddedObjectMeta=true" \
      paths=volcano.sh/apis/pkg/apis/scheduling/v1beta1 output:crd:artifacts:config="$work/volcano/crds"
    install -m 0644 "$work/volcano/crds/scheduling.volcano.sh_podgroups.yaml" "$bin/podgroup-crds/"
  }
  run_step volcano-crd "the Go module proxy must serve volcano.sh/apis $VOLCANO_APIS_VERSION and sigs.k8s.io/controller-tools $CONTROLLER_TOOLS_VERSION" \
    generate_volcano_crd

  step "checking every binary runs"
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok helm; do
    [ -x "$bin/$b" ] || fail verify "$b was not produced"
  done
  "$bin/kube-apiserver" --version >&2 || fail verify "kube-apiserver does not run"
  "$bin/etcd" --version >&2 || fail verify "etcd does not run"
  "$bin/kwok" --help >/dev/null || fail verify "kwok does not run"
  "$bin/helm" version --short >&2 || fail verify "helm does not run"
  "$bin/kubectl" version --client >&2 || fail verify "kubectl does not run"
  for crd in scheduling.x-k8s.io_podgroups.yaml scheduling.volcano.sh_podgroups.yaml; do
    grep -q '^kind: CustomResourceDefinition' "$bin/podgroup-crds/$crd" || fail verify "podgroup-crds/$crd is not a CRD"
  done

}

# scheduler-plugins pins Kubernetes with replace directives, which apply only to a main module, so (as
# for Kubernetes itself) a wrapper module requires it and replaces Kubernetes and every staging module
# with the versions in versions.env.
build_coscheduler() {
  mkdir -p "$work/coscheduler"
  {
    printf 'module local.test/coscheduler\n\ngo 1.26\n\nrequire sigs.k8s.io/scheduler-plugins %s\n\n' "$SCHEDULER_PLUGINS_VERSION"
    printf 'replace (\n\tk8s.io/kubernetes => k8s.io/kubernetes %s\n' "$COSCHEDULER_K8S_VERSION"
    staging_replaces "$COSCHEDULER_K8S_STAGING_VERSION"
    printf ')\n'
  } >"$work/coscheduler/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "sigs.k8s.io/scheduler-plugins/cmd/scheduler"\n' >"$work/coscheduler/tools.go"
  coscheduler_modules() { cd "$work/coscheduler" && go mod tidy; }
  coscheduler_build() {
    cd "$work/coscheduler"
    go build -trimpath -ldflags "$(version_ldflags "$COSCHEDULER_K8S_VERSION")" -o "$bin/kube-scheduler-plugins" \
      sigs.k8s.io/scheduler-plugins/cmd/scheduler
  }
  run_step coscheduler-modules "the Go module proxy must serve sigs.k8s.io/scheduler-plugins $SCHEDULER_PLUGINS_VERSION, k8s.io/kubernetes $COSCHEDULER_K8S_VERSION and its staging modules at $COSCHEDULER_K8S_STAGING_VERSION" \
    coscheduler_modules
  run_step coscheduler-build "compiling needs ~2 GiB of memory and ~3 GiB of disk for the Go build cache" coscheduler_build
  step "checking the scheduler runs"
  "$bin/kube-scheduler-plugins" --version >&2 || fail verify "kube-scheduler-plugins does not run"
}

# Kubeflow's training-operator, built from its own module as released: its go.mod has no replace
# directives, so `go install module/cmd@version` resolves exactly the versions it pins. Its CRDs
# (manifests/base/crds) are kept next to it for comparison; the benchmark serves it ours.
build_kubeflow_operator() {
  local module=github.com/kubeflow/training-operator
  run_step kubeflow-operator-build "the Go module proxy must serve $module $KUBEFLOW_OPERATOR_VERSION and the versions its go.mod pins" \
    env GOBIN="$bin" go install -trimpath -ldflags "-s -w" "$module/cmd/training-operator.v1@$KUBEFLOW_OPERATOR_VERSION"
  copy_kubeflow_crds() {
    local dir
    dir=$(module_dir "$module@$KUBEFLOW_OPERATOR_VERSION")
    mkdir -p "$bin/kubeflow-crds"
    install -m 0644 "$dir"/manifests/base/crds/kubeflow.org_*.yaml "$bin/kubeflow-crds/"
  }
  run_step kubeflow-crds "the Go module proxy must serve $module $KUBEFLOW_OPERATOR_VERSION" copy_kubeflow_crds
  step "checking the operator runs"
  # Go's flag package prints the usage for --help and exits 0; the usage names the flags the bench uses.
  "$bin/training-operator.v1" --help >"$work/usage.txt" 2>&1 || fail verify "training-operator.v1 --help failed"
  grep -q -- '-controller-threads' "$work/usage.txt" || fail verify "training-operator.v1 has no --controller-threads flag"
}

case "$layer" in
  base) build_base ;;
  coscheduler) build_coscheduler ;;
  kubeflow-operator) build_kubeflow_operator ;;
esac

touch "$bin/.complete"
mv "$bin" "$out"
step "done: $out ($(du -sh "$out" | cut -f1))"
echo "$out"
