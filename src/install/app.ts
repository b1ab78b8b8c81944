// The cdk8s app of cdk8s.yaml: `npx cdk8s synth` runs it (through tsx, so that it runs the sources as they
// are) and it writes the operator's complete installation, what `training-operator install-manifests
// --with-crds` prints with its defaults, into the output directory cdk8s names (dist/install/).
import { App } from 'cdk8s';
import { InstallChart } from './manifests.ts';
import { DEFAULT_INSTALL_OPTIONS, INSTALL_NAME } from './options.ts';

const app = new App();
new InstallChart(app, INSTALL_NAME, DEFAULT_INSTALL_OPTIONS, { withCrds: true, withNamespace: true });
app.synth();
