// The container-logs process of the sim cluster (sim.ts starts it):
//   node container-logs-main.js --kubeconfig FILE --port N --cert FILE --key FILE --ca FILE
import { parseArgs } from 'node:util';
import { serveContainerLogs } from './container-logs.ts';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    port: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    ca: { type: 'string' },
  },
});
const { kubeconfig, port, cert, key, ca } = values;
if (!kubeconfig || !port || !cert || !key || !ca) {
  process.stderr.write('container-logs: --kubeconfig, --port, --cert, --key and --ca are required\n');
  process.exit(2);
}
await serveContainerLogs({ kubeconfig, port: Number(port), cert, key, ca });
process.stderr.write(`container-logs: serving on 127.0.0.1:${port}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
