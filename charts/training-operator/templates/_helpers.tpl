{{/*
Names, labels and the RBAC rules. The rules mirror src/install/rbac.ts (derived there from the
operator's code) resource by resource and in the same order; test/unit/install-chart.test.ts renders
both and fails if they differ.
*/}}

{{/* The release name if it already says training-operator, else "<release>-training-operator". */}}
{{- define "training-operator.fullname" -}}
{{- if contains "training-operator" .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-training-operator" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "training-operator.selectorLabels" -}}
app.kubernetes.io/name: training-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "training-operator.labels" -}}
{{ include "training-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* "true" when replicas compete for a Lease; empty otherwise. */}}
{{- define "training-operator.leaderElect" -}}
{{- if gt (int .Values.replicas) 1 }}true{{ end }}
{{- end }}

{{/* The Lease name, passed as --leader-election-id and named in the Lease rule. */}}
{{- define "training-operator.leaseName" -}}
1ca428e5.training-operator.kubeflow.org
{{- end }}

{{/* The enabled kinds in the operator's canonical order, as "kind=plural" lines. */}}
{{- define "training-operator.kinds" -}}
{{- $plurals := dict "PyTorchJob" "pytorchjobs" "TFJob" "tfjobs" "XGBoostJob" "xgboostjobs" "MPIJob" "mpijobs" "PaddleJob" "paddlejobs" "JAXJob" "jaxjobs" }}
{{- range $kind := list "PyTorchJob" "TFJob" "XGBoostJob" "MPIJob" "PaddleJob" "JAXJob" }}
{{- if has $kind $.Values.schemes }}
{{ $kind }}={{ get $plurals $kind }}
{{- end }}
{{- end }}
{{- end }}

{{/* --enable-scheme: the enabled kinds, comma-separated, in canonical order. */}}
{{- define "training-operator.schemes" -}}
{{- $kinds := list }}
{{- range compact (splitList "\n" (include "training-operator.kinds" . | trim)) }}
{{- $kinds = append $kinds (first (splitList "=" .)) }}
{{- end }}
{{- join "," $kinds }}
{{- end }}

{{/* The API group of the gang scheduler's PodGroups; empty without gang scheduling. */}}
{{- define "training-operator.podGroupGroup" -}}
{{- with .Values.gangSchedulerName }}
{{- if eq (lower .) "volcano" }}scheduling.volcano.sh{{ else }}scheduling.x-k8s.io{{ end }}
{{- end }}
{{- end }}

{{/*
Rules in every watched namespace (all of them through the ClusterRole when none is listed).
Jobs: informers (list, watch), TTL deletion, status writes, and update on finalizers for the
blockOwnerDeletion of owner references. Owned objects: informers, create, delete, and patch for the
kinds the reconciler server-side applies. MPIJob: get pods and create pods/exec, because the operator
must hold every permission of the launcher Role it creates. Events: create.
*/}}
{{- define "training-operator.watchedRules" -}}
{{- $mpi := has "MPIJob" .Values.schemes }}
{{- range compact (splitList "\n" (include "training-operator.kinds" . | trim)) }}
{{- $plural := last (splitList "=" .) }}
- apiGroups: [kubeflow.org]
  resources: [{{ $plural }}]
  verbs: [delete, list, watch]
- apiGroups: [kubeflow.org]
  resources: [{{ $plural }}/status]
  verbs: [update]
- apiGroups: [kubeflow.org]
  resources: [{{ $plural }}/finalizers]
  verbs: [update]
{{- end }}
- apiGroups: [""]
  resources: [pods]
  verbs: [create, delete, {{ if $mpi }}get, {{ end }}list, watch]
- apiGroups: [""]
  resources: [services]
  verbs: [create, delete, list, watch]
{{- if has "PyTorchJob" .Values.schemes }}
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [create, delete, list, patch, watch]
{{- end }}
{{- if $mpi }}
- apiGroups: [""]
  resources: [configmaps]
  verbs: [create, delete, list, patch, watch]
- apiGroups: [""]
  resources: [serviceaccounts]
  verbs: [create, delete, list, watch]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles]
  verbs: [create, delete, list, patch, watch]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [rolebindings]
  verbs: [create, delete, list, watch]
{{- end }}
{{- with include "training-operator.podGroupGroup" . }}
- apiGroups: [{{ . }}]
  resources: [podgroups]
  verbs: [create, delete, list, patch, watch]
{{- end }}
{{- if $mpi }}
- apiGroups: [""]
  resources: [pods/exec]
  verbs: [create]
{{- end }}
- apiGroups: [""]
  resources: [events]
  verbs: [create]
{{- end }}

{{/* Cluster-scoped: reading the one PodGroup CRD the start-up check looks for. */}}
{{- define "training-operator.clusterRules" -}}
{{- with include "training-operator.podGroupGroup" . }}
- apiGroups: [apiextensions.k8s.io]
  resources: [customresourcedefinitions]
  resourceNames: [podgroups.{{ . }}]
  verbs: [get]
{{- end }}
{{- end }}

{{/* In the release namespace: the leader-election Lease (a create cannot be limited to one name). */}}
{{- define "training-operator.leaseRules" -}}
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [create]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  resourceNames: [{{ include "training-operator.leaseName" . }}]
  verbs: [get, update]
{{- end }}
