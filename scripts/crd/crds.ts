// Assembles the CustomResourceDefinition of each kind around its schema (source.ts).
import { GROUP, type KindInfo, VERSION } from '../../src/api/kinds.ts';
import { jobSchema, vendored } from './source.ts';
import { type Schema, sortKeys } from './structural.ts';

/** Records which Kubernetes release the embedded pod template schema comes from. */
export const KUBERNETES_VERSION_ANNOTATION = 'training-operator.kubeflow.org/kubernetes-schema-version';

interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

/** State and Age as the reference has them (MPIJob lists Age first), plus wide-output extras. */
function printerColumns(info: KindInfo): PrinterColumn[] {
  const state: PrinterColumn = {
    name: 'State',
    type: 'string',
    jsonPath: '.status.conditions[-1:].type',
    description: 'Type of the latest condition.',
  };
  const age: PrinterColumn = {
    name: 'Age',
    type: 'date',
    jsonPath: '.metadata.creationTimestamp',
    description: 'Time since the job was created.',
  };
  const wide: PrinterColumn[] = [
    {
      name: 'Workers',
      type: 'integer',
      jsonPath: `.spec.${info.replicaSpecsField}.Worker.replicas`,
      description: 'Desired Worker replicas (empty when left to the default).',
      priority: 1,
    },
    {
      name: 'Active',
      type: 'integer',
      jsonPath: '.status.replicaStatuses.Worker.active',
      description: 'Running Worker pods.',
      priority: 1,
    },
    {
      name: 'Started',
      type: 'date',
      jsonPath: '.status.startTime',
      description: 'When the job started.',
      priority: 1,
    },
    {
      name: 'Completed',
      type: 'date',
      jsonPath: '.status.completionTime',
      description: 'When the job finished.',
      priority: 1,
    },
  ];
  return [...(info.kind === 'MPIJob' ? [age, state] : [state, age]), ...wide];
}

function subresources(info: KindInfo): Schema {
  if (!info.scalesWorkers) return { status: {} };
  return {
    scale: {
      labelSelectorPath: '.status.replicaStatuses.Worker.selector',
      specReplicasPath: `.spec.${info.replicaSpecsField}.Worker.replicas`,
      statusReplicasPath: '.status.replicaStatuses.Worker.active',
    },
    status: {},
  };
}

export function buildCrd(info: KindInfo): Schema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${info.plural}.${GROUP}`,
      annotations: { [KUBERNETES_VERSION_ANNOTATION]: vendored.kubernetesVersion },
    },
    spec: {
      group: GROUP,
      names: { kind: info.kind, listKind: info.listKind, plural: info.plural, singular: info.singular },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          additionalPrinterColumns: printerColumns(info),
          schema: { openAPIV3Schema: sortKeys(jobSchema(info)) },
          subresources: subresources(info),
        },
      ],
    },
  };
}

export function crdFileName(info: KindInfo): string {
  return `${GROUP}_${info.plural}.yaml`;
}
