// Where the operator's credentials come from, in kubectl's order but with in-cluster before
// ~/.kube/config: a pod has no home kubeconfig, and a developer's laptop has no service account.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigSources {
  /** Default: the user's home directory. */
  homeDir?: string;
  /** Prefix of the service-account directory, so tests can fake in-cluster mode in a temp dir. */
  inClusterRoot?: string;
}

/**
 * The `--kubeconfig` file, else the files of `$KUBECONFIG`, else the in-cluster service account
 * (when its token file exists and KUBERNETES_SERVICE_HOST is set), else `~/.kube/config`. Throws an
 * error naming everything it tried when none is there or the chosen one names no cluster.
 */
export function loadKubeConfig(
  opts: { kubeconfig?: string } = {},
  sources: KubeConfigSources = {},
): KubeConfig {
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new Error(`--kubeconfig ${opts.kubeconfig}: no such file`);
    return checked(fromFiles([opts.kubeconfig]), `--kubeconfig ${opts.kubeconfig}`);
  }
  const tried: string[] = [];
  const envFiles = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const existing = envFiles.filter((file) => existsSync(file));
  if (existing.length > 0) return checked(fromFiles(existing), `$KUBECONFIG (${existing.join(delimiter)})`);
  tried.push(
    envFiles.length ? `$KUBECONFIG (${envFiles.join(delimiter)}: no such file)` : '$KUBECONFIG (unset)',
  );

  const root = sources.inClusterRoot ?? '';
  const tokenFile = `${root}${SERVICE_ACCOUNT_DIR}/token`;
  if (process.env.KUBERNETES_SERVICE_HOST && existsSync(tokenFile)) {
    const kc = new KubeConfig();
    kc.loadFromCluster(root);
    return kc;
  }
  tried.push(`in-cluster (${tokenFile} and $KUBERNETES_SERVICE_HOST)`);

  const homeFile = join(sources.homeDir ?? homedir(), '.kube', 'config');
  if (existsSync(homeFile)) return checked(fromFiles([homeFile]), homeFile);
  tried.push(homeFile);
  throw new Error(`no Kubernetes credentials found; tried ${tried.join(', ')}`);
}

/** Merges files as kubectl does: the first file to define a name, or the current context, wins. */
function fromFiles(files: string[]): KubeConfig {
  const kc = new KubeConfig();
  for (const file of files) {
    const next = new KubeConfig();
    try {
      next.loadFromFile(file);
    } catch (err) {
      throw new Error(`kubeconfig ${file}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
    if (!kc.currentContext) kc.currentContext = next.currentContext;
    for (const cluster of next.clusters) if (!kc.getCluster(cluster.name)) kc.addCluster(cluster);
    for (const user of next.users) if (!kc.getUser(user.name)) kc.addUser(user);
    for (const context of next.contexts) if (!kc.getContextObject(context.name)) kc.addContext(context);
  }
  return kc;
}

function checked(kc: KubeConfig, source: string): KubeConfig {
  if (!kc.getCurrentCluster()) {
    throw new Error(`${source}: the current context "${kc.currentContext}" names no cluster`);
  }
  return kc;
}
