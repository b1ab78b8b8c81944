// The local cluster's pure parts: what a fake container's log holds and when, the kubelet's log query
// parameters and the cold-build estimate.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coldBuildEstimate } from '../../src/local/control-plane.ts';
import {
  formatLine,
  initialLines,
  parseLogQuery,
  PROGRESS_LINES,
  simulatedLog,
} from '../../src/local/container-logs.ts';

const START = Date.parse('2026-01-01T00:00:00Z');

function pod(terminated?: { exitCode: number; reason?: string; finishedAt?: string }) {
  return {
    metadata: {
      name: 'mnist-worker-0',
      namespace: 'ns',
      labels: { 'training.kubeflow.org/replica-type': 'worker', 'training.kubeflow.org/replica-index': '0' },
    },
    spec: {
      nodeName: 'kwok-node-1',
      containers: [
        {
          name: 'pytorch',
          image: 'img',
          command: ['python3', 'train.py'],
          env: [
            { name: 'RANK', value: '1' },
            { name: 'POD_IP', valueFrom: { fieldRef: {} } },
          ],
        },
      ],
    },
    status: {
      phase: terminated ? 'Succeeded' : 'Running',
      startTime: new Date(START).toISOString(),
      containerStatuses: terminated ? [{ name: 'pytorch', state: { terminated } }] : [],
    },
  };
}

describe('a fake container’s log', () => {
  test('a header at the start, then one progress line a second; only literal env values are shown', () => {
    const p = pod();
    const lines = simulatedLog(p, p.spec.containers[0]);
    assert.deepEqual(
      lines.slice(0, 4).map((l) => l.text),
      [
        '[simulated] container pytorch of pod mnist-worker-0 on kwok-node-1, image img',
        '$ python3 train.py',
        'environment: RANK=1',
        'worker 0: starting training',
      ],
    );
    assert.equal(lines.length, 4 + PROGRESS_LINES);
    assert.equal(lines[4].at, START + 1000);
    assert.match(lines[4].text, /^worker 0: epoch 1\/8 loss=\d\.\d{4} accuracy=\d+\.\d%$/);
  });

  test('a terminated container’s log ends with its exit', () => {
    const ok = pod({ exitCode: 0, finishedAt: '2026-01-01T00:00:10Z' });
    assert.equal(simulatedLog(ok, ok.spec.containers[0]).at(-1)?.text, 'worker 0: training complete');
    const failed = pod({ exitCode: 137, reason: 'OOMKilled' });
    assert.equal(
      simulatedLog(failed, failed.spec.containers[0]).at(-1)?.text,
      'worker 0: error: exiting with code 137 (OOMKilled)',
    );
  });

  test('what is sent first: lines due by now, all once terminated; since and tail filter them', () => {
    const p = pod();
    const lines = simulatedLog(p, p.spec.containers[0]);
    const query = parseLogQuery(new URLSearchParams(''));
    assert.equal(initialLines(lines, query, false, START + 2500).shown.length, 6);
    assert.equal(initialLines(lines, query, true, START).shown.length, lines.length);
    const tail = parseLogQuery(new URLSearchParams('tailLines=2'));
    const { shown, printed } = initialLines(lines, tail, false, START + 2500);
    assert.deepEqual(
      shown.map((l) => l.at),
      [START + 1000, START + 2000],
    );
    assert.equal(printed, 6, 'a follow continues after every line printed so far, shown or not');
    const since = parseLogQuery(new URLSearchParams('sinceSeconds=1'), START + 2500);
    assert.equal(initialLines(lines, since, false, START + 2500).shown.length, 1);
  });

  test('the kubelet’s query parameters; timestamps as RFC 3339 with nanoseconds', () => {
    assert.deepEqual(
      parseLogQuery(new URLSearchParams('follow=true&timestamps=true&limitBytes=10&tail=all')),
      {
        follow: true,
        timestamps: true,
        tailLines: undefined,
        sinceMs: undefined,
        limitBytes: 10,
      },
    );
    const line = { at: START + 1500, text: 'hello' };
    assert.equal(
      formatLine(line, parseLogQuery(new URLSearchParams('timestamps=true'))),
      '2026-01-01T00:00:01.500000000Z hello\n',
    );
    assert.equal(formatLine(line, parseLogQuery(new URLSearchParams())), 'hello\n');
  });
});

describe('the demo', () => {
  test('the cold-build estimate follows the measured 2-core figures and scales with cores', () => {
    assert.equal(
      coldBuildEstimate(['base', 'coscheduler'], 2),
      'about 22 minutes on 2 idle cores, up to 51 on a busy machine',
    );
    assert.equal(
      coldBuildEstimate(['base', 'coscheduler'], 8),
      'about 5 minutes on 8 idle cores, up to 12 on a busy machine',
    );
  });
});
