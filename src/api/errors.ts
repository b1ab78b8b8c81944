/** One rule a job breaks, at a Kubernetes-style field path such as `spec.tfReplicaSpecs[Worker].replicas`. */
export interface FieldError {
  path: string;
  message: string;
}

/** Input the CLI cannot turn into jobs at all: malformed YAML, unknown kinds, other API versions. */
export class InputError extends Error {
  override name = 'InputError';
}
