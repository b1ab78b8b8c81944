// Elastic replica bounds shared by PyTorchJob and PaddleJob (the reference's
// pkg/apis/kubeflow.org/v1/pytorch_defaults.go and paddlepaddle_defaults.go, release-1.9).

export interface ElasticReplicas {
  minReplicas?: number;
  maxReplicas?: number;
}

/** Fills min/max replicas from each other, or both from the Worker count when neither is set. */
export function defaultElasticReplicas(
  policy: ElasticReplicas | undefined,
  workerReplicas: number | undefined,
): void {
  if (!policy) return;
  if (policy.minReplicas === undefined && policy.maxReplicas === undefined) {
    policy.minReplicas = workerReplicas ?? 1;
    policy.maxReplicas = workerReplicas ?? 1;
  }
  policy.minReplicas ??= policy.maxReplicas;
  policy.maxReplicas ??= policy.minReplicas;
}
