import { hostname } from 'node:os';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LogLevel } from './env.js';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Service name, stamped on every line so one log pipeline can hold all services. */
  readonly service: string;
  readonly level: LogLevel;
  /**
   * Extra fields merged into every line, evaluated per call: the telemetry setup uses it to add
   * the active trace and span ids without the kit depending on OpenTelemetry.
   */
  readonly mixin?: () => Record<string, unknown>;
  /** Where lines go; stdout (synchronously, so nothing is lost on `process.exit`) unless given. */
  readonly destination?: DestinationStream;
}

/**
 * A pino logger writing JSON lines: ISO `time`, `level` as a label (`"info"`, not `30`), and
 * `service`, `pid`, `hostname` on every line. Errors go under `err` with type, message and stack.
 */
export function createLogger(options: LoggerOptions): Logger {
  const { mixin } = options;
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
      ...(mixin ? { mixin: () => mixin() } : {}),
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

export type { Logger };
