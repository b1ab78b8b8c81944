// The admission rules of the Kubeflow webhooks (the reference's pkg/webhooks/*/*_webhook.go,
// pkg/common/util/webhooks.go and pkg/apis/kubeflow.org/v1/mpi_validation.go, release-1.9), written as CEL
// validation rules (x-kubernetes-validations) placed where the API server reports them at the reference's
// field paths.
//
// Where a rule sits decides its path: the API server reports `<path of the node>` + `fieldPath`. A rule
// on a replica map's values cannot name its own key, so rules about one replica type (Master replicas,
// Worker present) sit on `spec` with a fieldPath through the map, which renders as `[Master]`.
import {
  type KindInfo,
  type KindName,
  MANAGED_BY_MULTIKUEUE,
  MANAGED_BY_OPERATOR,
} from '../../src/api/kinds.ts';

export type Reason = 'FieldValueRequired' | 'FieldValueForbidden' | 'FieldValueInvalid';

export interface Rule {
  rule: string;
  message: string;
  messageExpression?: string;
  fieldPath?: string;
  reason: Reason;
}

export const MANAGED_BY_VALUES = [MANAGED_BY_OPERATOR, MANAGED_BY_MULTIKUEUE];

/** Replica types each kind accepts; TFJob accepts any key, as the reference does. */
const ALLOWED_REPLICA_TYPES: Record<KindName, readonly string[] | undefined> = {
  PyTorchJob: ['Master', 'Worker'],
  TFJob: undefined,
  XGBoostJob: ['Master', 'Worker'],
  MPIJob: ['Launcher', 'Worker'],
  PaddleJob: ['Master', 'Worker'],
  JAXJob: ['Worker'],
};

/** The type that must exist, and must have exactly one replica if `replicas` is set. */
const SINGLE_REPLICA_TYPE: Partial<Record<KindName, { type: string; required: boolean }>> = {
  PyTorchJob: { type: 'Master', required: false },
  XGBoostJob: { type: 'Master', required: true },
  MPIJob: { type: 'Launcher', required: true },
};

const DNS1035_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
const DNS1035_TOO_LONG = 'must be no more than 63 characters';
// apimachinery's wording, double space included.
const DNS1035_FORMAT =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic " +
  "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for " +
  "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const celString = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const quotedList = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');
const celList = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;

/**
 * On `metadata.name` (root metadata may carry rules on name): the webhooks' DNS-1035 check, with the
 * reference's message, which joins both failures when the name is too long and malformed; for MPIJob,
 * only the length.
 */
export function nameRules(info: KindInfo): Rule[] {
  if (info.kind === 'MPIJob') return mpiNameRules();
  const tooLong = 'self.size() > 63';
  const malformed = `!self.matches('${DNS1035_PATTERN}')`;
  return [
    {
      rule: `self.size() <= 63 && self.matches('${DNS1035_PATTERN}')`,
      message: `should match: ${DNS1035_FORMAT}`,
      messageExpression:
        `'should match: ' + (${tooLong} ? ${celString(DNS1035_TOO_LONG)} : '') + ` +
        `(${tooLong} && ${malformed} ? ',' : '') + (${malformed} ? ${celString(DNS1035_FORMAT)} : '')`,
      reason: 'FieldValueInvalid',
    },
  ];
}

/** Kubernetes' limit on a Service name (a DNS-1035 label) and on a label value. */
const MAX_LABEL_LENGTH = 63;
/** Characters the API server appends to a generateName prefix. */
const GENERATED_SUFFIX_LENGTH = 5;

/**
 * MPIJob has no DNS-1035 rule (nor had the reference), but its name is the value of its pods'
 * `training.kubeflow.org/job-name` label, so a longer name gets the job refused pods forever.
 */
function mpiNameRules(): Rule[] {
  return [
    {
      rule: `self.size() <= ${MAX_LABEL_LENGTH}`,
      message:
        `must be no more than ${MAX_LABEL_LENGTH} characters: it is the value of the ` +
        'training.kubeflow.org/job-name label of the pods',
      reason: 'FieldValueInvalid',
    },
  ];
}

/**
 * At the root, where a rule sees `metadata.name` and `spec` together: the name must leave room for the
 * names of the job's Services, `<name>-<replica type, lower case>-<index>` (pkg/core/utils.go
 * GenGeneralName), which are DNS-1035 labels of at most 63 characters. A name already over 63 is
 * left to the name rule. The API server has generated
 * the name from generateName before any rule runs; offline there may be only the prefix.
 */
export function derivedNameRules(info: KindInfo): Rule[] {
  if (info.kind === 'MPIJob') return [];
  const map = `self.spec.${info.replicaSpecsField}`;
  // An unset count is 1 for every type of these kinds (only MPIJob's Worker defaults to 0).
  const count = (t: string) => `(has(${map}[${t}].replicas) ? ${map}[${t}].replicas : 1)`;
  // `-<type>-<last index>`, or nothing for a type without replicas.
  const suffix = (t: string) => `(${count(t)} > 0 ? size(${t}) + 2 + size(string(${count(t)} - 1)) : 0)`;
  const nameLength =
    '(has(self.metadata.name) ? size(self.metadata.name) : ' +
    `size(self.metadata.generateName) + ${GENERATED_SUFFIX_LENGTH})`;
  const longestType = `${map}.filter(t, ${map}.all(u, ${suffix('u')} <= ${suffix('t')}))[0]`;
  const longestSuffix = suffix(longestType);
  const longestName = `${MAX_LABEL_LENGTH} - ${longestSuffix}`;
  // string(int) has an unbounded estimated size, which puts any message built with it over the API
  // server's cost budget; a lookup in a list of the numbers 0..63 has a bounded one.
  const decimal = (n: string) =>
    `${celList(Array.from({ length: MAX_LABEL_LENGTH + 1 }, (_, i) => String(i)))}[${n} > 0 ? ${n} : 0]`;
  const servicesNote =
    ' characters: its Services are named <name>-<replica type>-<index>, ' +
    `which must be no more than ${MAX_LABEL_LENGTH} characters`;
  return [
    {
      rule: `${nameLength} > ${MAX_LABEL_LENGTH} || ${map}.all(t, ${nameLength} + ${suffix('t')} <= ${MAX_LABEL_LENGTH})`,
      message:
        'must be shorter: its Services are named <name>-<replica type>-<index>, which must be no more ' +
        `than ${MAX_LABEL_LENGTH} characters`,
      messageExpression:
        `'must be no more than ' + ${decimal(`(${longestName})`)} + ${celString(servicesNote)} + ` +
        `(has(self.metadata.generateName) ? '; a generateName must be no more than ' + ` +
        `${decimal(`(${longestName} - ${GENERATED_SUFFIX_LENGTH})`)} + ', as the API server appends ${GENERATED_SUFFIX_LENGTH} characters' : '')`,
      fieldPath: '.metadata.name',
      reason: 'FieldValueInvalid',
    },
  ];
}

/** On the replica map: which keys are allowed, and TF's single chief. */
export function replicaMapRules(info: KindInfo): Rule[] {
  const rules: Rule[] = [];
  const allowed = ALLOWED_REPLICA_TYPES[info.kind];
  if (allowed) {
    // A message naming the offending keys would need string operations on unbounded map keys, whose
    // estimated cost the API server refuses; the user finds the key in a map of a few entries.
    rules.push({
      rule: `self.all(t, t in ${celList(allowed)})`,
      message: `unsupported replica type: supported values: ${quotedList(allowed)}`,
      reason: 'FieldValueInvalid',
    });
  }
  if (info.kind === 'TFJob') {
    rules.push({
      rule: "!('Chief' in self && 'Master' in self)",
      message: 'must not have more than 1 Chief or Master role',
      reason: 'FieldValueForbidden',
    });
  }
  return rules;
}

/** On each replica spec (the map's values): containers present, including the default one. */
export function replicaRules(info: KindInfo): Rule[] {
  const hasContainers = 'has(self.template) && has(self.template.spec) && has(self.template.spec.containers)';
  const rules: Rule[] = [
    {
      rule: `${hasContainers} && size(self.template.spec.containers) > 0`,
      message: 'must be specified',
      fieldPath: '.template.spec.containers',
      reason: 'FieldValueRequired',
    },
  ];
  if (info.kind !== 'MPIJob') {
    const name = info.kind === 'PaddleJob' ? `"${info.defaultContainer}"` : info.defaultContainer;
    rules.push({
      rule: `${hasContainers} && self.template.spec.containers.exists(c, c.name == '${info.defaultContainer}')`,
      message: `must have at least one container with name ${name}`,
      fieldPath: '.template.spec.containers',
      reason: 'FieldValueRequired',
    });
  }
  return rules;
}

/** On each container of a replica's pod template (not init or ephemeral containers, like the webhooks). */
export function containerRules(): Rule[] {
  return [
    {
      rule: 'has(self.image) && size(self.image) > 0',
      message: 'must be required',
      fieldPath: '.image',
      reason: 'FieldValueRequired',
    },
  ];
}

/** On `spec`: rules about particular replica types, elastic policies, and managedBy immutability. */
export function specRules(info: KindInfo): Rule[] {
  return [...elasticRules(info), ...replicaCountRules(info), managedByImmutable()];
}

function elasticRules(info: KindInfo): Rule[] {
  if (info.kind !== 'PyTorchJob') return [];
  const map = `self.${info.replicaSpecsField}`;
  return [
    {
      rule: `!has(self.elasticPolicy) || 'Worker' in ${map}`,
      message: 'must be configured if elastic policy is used',
      fieldPath: `.${info.replicaSpecsField}.Worker`,
      reason: 'FieldValueRequired',
    },
    {
      rule: '!has(self.elasticPolicy) || !has(self.elasticPolicy.nProcPerNode) || !has(self.nprocPerNode)',
      message: 'must not be used with spec.nprocPerNode',
      fieldPath: '.elasticPolicy.nProcPerNode',
      reason: 'FieldValueForbidden',
    },
  ];
}

function replicaCountRules(info: KindInfo): Rule[] {
  const field = info.replicaSpecsField;
  const replicasOf = (type: string) => `self.${field}.${type}.replicas`;
  const unsetOr = (type: string, check: string) =>
    `!('${type}' in self.${field}) || !has(${replicasOf(type)}) || ${check}`;
  const rules: Rule[] = [];
  const single = SINGLE_REPLICA_TYPE[info.kind];
  if (single?.required) {
    rules.push({
      rule: `'${single.type}' in self.${field}`,
      message: 'must be present',
      fieldPath: `.${field}.${single.type}`,
      reason: 'FieldValueRequired',
    });
  }
  if (single) {
    // The reference also rejects an unset count, because it validates before defaulting sets it to 1.
    rules.push({
      rule: unsetOr(single.type, `${replicasOf(single.type)} == 1`),
      message: 'must be 1',
      fieldPath: `.${field}.${single.type}.replicas`,
      reason: 'FieldValueForbidden',
    });
  }
  if (info.kind === 'PyTorchJob') {
    rules.push({
      rule: unsetOr('Worker', `${replicasOf('Worker')} >= 1`),
      message: 'must be at least 1',
      fieldPath: `.${field}.Worker.replicas`,
      reason: 'FieldValueForbidden',
    });
  }
  return rules;
}

/** A transition rule on `spec`, so that setting or removing managedBy counts as a change too. */
function managedByImmutable(): Rule {
  const isSet = (obj: string) => `(has(${obj}.runPolicy) && has(${obj}.runPolicy.managedBy))`;
  return {
    rule:
      `${isSet('self')} == ${isSet('oldSelf')} && ` +
      `(!${isSet('self')} || self.runPolicy.managedBy == oldSelf.runPolicy.managedBy)`,
    message: 'field is immutable',
    fieldPath: '.runPolicy.managedBy',
    reason: 'FieldValueInvalid',
  };
}

/** On `spec.runPolicy.schedulingPolicy.queue`: the reference CRD's own rule, unchanged. */
export function queueRules(): Rule[] {
  return [
    {
      rule: 'self == oldSelf',
      message: 'spec.runPolicy.schedulingPolicy.queue is immutable',
      reason: 'FieldValueInvalid',
    },
  ];
}
