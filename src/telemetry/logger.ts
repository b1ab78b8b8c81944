// Structured JSON logs, one line per action, each with the job and the object it concerns.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './log-levels.ts';

export type { Logger };

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { component: 'training-operator' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
