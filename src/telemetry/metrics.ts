// Prometheus metrics of the operator: the reference's job counters (same names, labels and help), and
// what it lacks: how long jobs take to get all pods running and to finish, jobs by state, reconcile work.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { KINDS, type KindName } from '../api/kinds.ts';
import type { JobMetric } from '../status/context.ts';

const JOB_LABELS = ['job_namespace', 'framework'] as const;
/** Seconds from a few to many hours: a training job's life. */
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

export type JobState = 'Created' | 'Running' | 'Restarting' | 'Suspended' | 'Succeeded' | 'Failed';

export class OperatorMetrics {
  readonly registry = new Registry();
  private readonly jobCounters: Record<JobMetric, Counter<(typeof JOB_LABELS)[number]>>;
  private readonly timeToAllRunning: Histogram<'framework'>;
  private readonly timeToCompletion: Histogram<'framework'>;
  private readonly reconciles: Counter<'kind' | 'result'>;
  private readonly reconcileSeconds: Histogram<'kind'>;

  constructor(jobStates: () => Iterable<{ kind: KindName; state: JobState }>, queueDepth: () => number) {
    collectDefaultMetrics({ register: this.registry });
    const counter = (name: string, help: string) =>
      new Counter({ name, help, labelNames: JOB_LABELS, registers: [this.registry] });
    this.jobCounters = {
      created: counter('training_operator_jobs_created_total', 'Counts number of jobs created'),
      deleted: counter('training_operator_jobs_deleted_total', 'Counts number of jobs deleted'),
      successful: counter('training_operator_jobs_successful_total', 'Counts number of jobs successful'),
      failed: counter('training_operator_jobs_failed_total', 'Counts number of jobs failed'),
      restarted: counter('training_operator_jobs_restarted_total', 'Counts number of jobs restarted'),
    };
    this.timeToAllRunning = new Histogram({
      name: 'training_operator_job_all_pods_running_seconds',
      help: 'Seconds from job creation until every replica of the job is running, by framework',
      labelNames: ['framework'],
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
    });
    this.timeToCompletion = new Histogram({
      name: 'training_operator_job_completion_seconds',
      help: 'Seconds from job creation until the job succeeded or failed, by framework',
      labelNames: ['framework'],
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
    });
    new Gauge({
      name: 'training_operator_jobs',
      help: 'Jobs the operator manages, by framework and state (the type of the last condition)',
      labelNames: ['framework', 'state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { kind, state } of jobStates()) this.inc({ framework: KINDS[kind].framework, state });
      },
    });
    this.reconciles = new Counter({
      name: 'training_operator_reconcile_total',
      help: 'Reconciles by job kind and result (success, error, requeue)',
      labelNames: ['kind', 'result'],
      registers: [this.registry],
    });
    this.reconcileSeconds = new Histogram({
      name: 'training_operator_reconcile_seconds',
      help: 'Time one reconcile takes, API calls included',
      labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    new Gauge({
      name: 'training_operator_workqueue_depth',
      help: 'Jobs waiting to be reconciled',
      registers: [this.registry],
      collect() {
        this.set(queueDepth());
      },
    });
  }

  countJob(metric: JobMetric, kind: KindName, namespace: string): void {
    this.jobCounters[metric].inc({ job_namespace: namespace, framework: KINDS[kind].framework });
  }

  observeAllRunning(kind: KindName, seconds: number): void {
    this.timeToAllRunning.observe({ framework: KINDS[kind].framework }, seconds);
  }

  observeCompletion(kind: KindName, seconds: number): void {
    this.timeToCompletion.observe({ framework: KINDS[kind].framework }, seconds);
  }

  observeReconcile(kind: KindName, result: 'success' | 'error' | 'requeue', seconds: number): void {
    this.reconciles.inc({ kind, result });
    this.reconcileSeconds.observe({ kind }, seconds);
  }
}
