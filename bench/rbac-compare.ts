// The figures behind ADR 0007 (RBAC derived from the code): the permissions our ClusterRole grants (what
// `install-manifests` prints with its defaults) next to those of the Kubeflow operator's ClusterRole,
// manifests/base/rbac/role.yaml of github.com/kubeflow/training-operator v1.9.2, found with
// `go mod download -json` (Go and the module proxy, or the module already in Go's cache). Prints
// figures; asserts nothing.
//
//   npx tsx bench/rbac-compare.ts
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { installManifests } from '../src/install/manifests.ts';
import { DEFAULT_INSTALL_OPTIONS } from '../src/install/options.ts';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}

const REFERENCE = 'github.com/kubeflow/training-operator@v1.9.2';

/** `group/resource verb` for every permission a rule grants; `*` stays as it is. */
function permissions(rules: PolicyRule[]): Set<string> {
  const out = new Set<string>();
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? ['']) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) out.add(`${group || 'core'}/${resource} ${verb}`);
      }
    }
  }
  return out;
}

function referenceRules(): PolicyRule[] {
  const module = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', REFERENCE], { encoding: 'utf8', cwd: '/tmp' }),
  ) as { Dir: string };
  const role = YAML.parse(readFileSync(join(module.Dir, 'manifests/base/rbac/role.yaml'), 'utf8')) as {
    rules: PolicyRule[];
  };
  return role.rules;
}

const ourRole = installManifests(DEFAULT_INSTALL_OPTIONS, { withCrds: false, withNamespace: false }).find(
  (object) => object.kind === 'ClusterRole',
) as unknown as { rules: PolicyRule[] };
const ours = permissions(ourRole.rules);
const theirs = permissions(referenceRules());
const only = (a: Set<string>, b: Set<string>) => [...a].filter((p) => !b.has(p)).sort();
const wildcards = (set: Set<string>) => [...set].filter((p) => p.includes('*')).length;

console.log(`| | ours (install-manifests) | Kubeflow v1.9.2 (role.yaml) |`);
console.log(`| --- | ---: | ---: |`);
console.log(`| rules | ${ourRole.rules.length} | ${referenceRules().length} |`);
console.log(`| permissions (group/resource verb) | ${ours.size} | ${theirs.size} |`);
console.log(`| with a wildcard | ${wildcards(ours)} | ${wildcards(theirs)} |`);
console.log(
  `\nGranted by Kubeflow's role only (${only(theirs, ours).length}):\n  ${only(theirs, ours).join('\n  ')}`,
);
console.log(`\nGranted by ours only (${only(ours, theirs).length}):\n  ${only(ours, theirs).join('\n  ')}`);
