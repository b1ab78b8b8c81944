// `training-operator diff -f FILE`: for each job of the file, against the live cluster, the change to
// its spec and what the operator would then create, patch and delete. The operator's decision comes
// from its own pure reconcile over the live objects the job owns (operatorPlan, below).
import { stringify } from 'yaml';
import { LABELS } from '../api/kinds.ts';
import { jobLabels } from '../api/names.ts';
import type { FieldValidation } from '../api/schema.ts';
import type { Job, KubeObject } from '../api/types.ts';
import { validateJob } from '../api/validate.ts';
import { NotFoundError } from '../client/errors.ts';
import type { TrainingClient } from '../client/training-client.ts';
import type { RenderOptions } from '../frameworks/framework.ts';
import { gangSchedulerFor } from '../gang/scheduler.ts';
import { isNotFound } from '../kube/errors.ts';
import {
  apiVersionOf,
  CONFIG_MAP,
  HPA,
  POD,
  RESOURCES,
  ROLE,
  ROLE_BINDING,
  SERVICE,
  SERVICE_ACCOUNT,
  type Resource,
} from '../kube/resources.ts';
import { reconcile } from '../reconcile/reconcile.ts';
import { withClient, type ClusterOptions } from './cluster.ts';
import { errorLine, inNamespace, jobRef, readJobs } from './input.ts';
import { unifiedDiff } from './text-diff.ts';
import type { Output } from './validate.ts';

export interface DiffCommandOptions extends ClusterOptions {
  files: string[];
  fieldValidation?: FieldValidation;
  /** The operator's `--gang-scheduler-name`: unset, none (its default). */
  gangSchedulerName?: string;
  /** The operator's framework settings (`--mpi-kubectl-delivery-image`...), by flag name; unset, the defaults. */
  settings?: RenderOptions['settings'];
}

/** What the operator owns for a job and would change: these, and the gang scheduler's PodGroups. */
const OWNED_RESOURCES = [POD, SERVICE, CONFIG_MAP, SERVICE_ACCOUNT, ROLE, ROLE_BINDING, HPA];

function ownedResources(options: RenderOptions): Resource[] {
  const gang = gangSchedulerFor(options.gangSchedulerName);
  if (!gang) return OWNED_RESOURCES;
  const { apiVersion, kind } = gang.podGroupType;
  return [
    ...OWNED_RESOURCES,
    ...RESOURCES.filter((resource) => resource.kind === kind && apiVersionOf(resource) === apiVersion),
  ];
}

interface OperatorChanges {
  create: { kind: string; name: string }[];
  patch: { kind: string; name: string }[];
  delete: { kind: string; name: string }[];
}

/**
 * The operator's next reconcile of `job` (the live job with the file's spec) over the objects it owns,
 * with the operator's options as the flags give them. The only use of the reconciler here.
 */
function operatorPlan(job: Job, owned: KubeObject[], options: RenderOptions): OperatorChanges {
  const plan = reconcile(job, owned, { options, now: new Date() });
  const named = (object: { kind: string; metadata?: { name: string }; name?: string }) => ({
    kind: object.kind,
    name: object.metadata?.name ?? object.name ?? '',
  });
  return { create: plan.create.map(named), patch: plan.update.map(named), delete: plan.delete.map(named) };
}

async function ownedObjects(
  client: TrainingClient,
  live: Job,
  options: RenderOptions,
): Promise<KubeObject[]> {
  const lists = await Promise.all(
    ownedResources(options).map(async (resource) => {
      try {
        const selection = {
          namespace: live.metadata.namespace,
          labelSelector: `${LABELS.jobName}=${jobLabels(live)[LABELS.jobName]}`,
        };
        return (await client.api.listAll<KubeObject>(resource, selection)).items;
      } catch (err) {
        if (isNotFound(err)) return [];
        throw err;
      }
    }),
  );
  return lists
    .flat()
    .filter((object) =>
      object.metadata.ownerReferences?.some((ref) => ref.controller && ref.uid === live.metadata.uid),
    );
}

const specText = (job: Job | undefined) =>
  job ? stringify(job.spec, { sortMapEntries: true, lineWidth: 0 }) : '';

/** Lines describing one job's differences; none when the file matches the cluster. */
async function diffJob(client: TrainingClient, written: Job, options: DiffCommandOptions, output: Output) {
  const namespace = written.metadata.namespace!;
  const kind = written.kind;
  let live: Job | undefined;
  try {
    live = (await client.get({ kind, name: written.metadata.name, namespace })) as unknown as Job;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const { errors, warnings, stored } = validateJob(written, live, {
    fieldValidation: options.fieldValidation ?? 'Strict',
  });
  for (const warning of warnings) output.err(`${jobRef(stored)}: warning: ${warning}`);
  if (errors.length) return { errors: errors.map((error) => errorLine(stored, error)), lines: [] };
  const wanted: Job = live ? Object.assign({ ...live }, { spec: stored.spec }) : stored;
  const renderOptions = { gangSchedulerName: options.gangSchedulerName, settings: options.settings };
  const changes = operatorPlan(
    wanted,
    live ? await ownedObjects(client, live, renderOptions) : [],
    renderOptions,
  );
  const where = `${jobRef(stored)} in namespace ${namespace}`;
  const specDiff = unifiedDiff(specText(live), specText(stored), [
    live ? `${where}: live spec` : '/dev/null (no such job)',
    `${where}: spec from the file`,
  ]);
  const objectLines = [
    ...changes.create.map((o) => `  create  ${o.kind}/${o.name}`),
    ...changes.patch.map((o) => `  patch   ${o.kind}/${o.name}`),
    ...changes.delete.map((o) => `  delete  ${o.kind}/${o.name}`),
  ];
  if (specDiff.length === 0 && objectLines.length === 0) return { errors: [], lines: [] };
  return {
    errors: [],
    lines: [
      ...specDiff,
      objectLines.length
        ? `${where}: the operator would then:`
        : `${where}: the operator would create, patch or delete nothing (running pods keep their template)`,
      ...objectLines,
    ],
  };
}

/** Exit codes as kubectl diff's: 0 no differences, 1 differences, 2 an error (invalid job, API error). */
export async function diffCommand(options: DiffCommandOptions, output: Output): Promise<number> {
  try {
    return await withClient(options, async (client) => {
      let differs = false;
      let invalid = false;
      for (const { job } of readJobs(options.files)) {
        const { errors, lines } = await diffJob(
          client,
          inNamespace(job, options.namespace ?? client.namespace),
          options,
          output,
        );
        errors.forEach(output.err);
        lines.forEach(output.out);
        invalid ||= errors.length > 0;
        differs ||= lines.length > 0;
      }
      return invalid ? 2 : differs ? 1 : 0;
    });
  } catch (err) {
    output.err(`training-operator: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
}
