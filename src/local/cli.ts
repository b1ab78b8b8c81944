// `training-operator local up | down | status | demo`.
import type { Output } from '../cli/validate.ts';
import { downCommand, statusCommand, upCommand } from './commands.ts';
import { defaultDir } from './control-plane.ts';
import { demoCommand } from './demo.ts';

const who = 'local';
const DOWN = 'npx training-operator local down';

export async function localCommand(
  action: 'up' | 'down' | 'status' | 'demo',
  dirOption: string | undefined,
  output: Output,
): Promise<number> {
  const dir = dirOption ?? defaultDir;
  switch (action) {
    case 'up':
      return (await upCommand({ dir, mode: 'local', downCommand: DOWN, who }, output)).code;
    case 'down':
      return downCommand(dir, output);
    case 'status':
      return statusCommand(dir, 'npx training-operator local up', output);
    case 'demo':
      return demoCommand(dir, output);
  }
}
