import type { Logger } from 'pino';
import { createLogger } from '../logger.js';

/** A real kit logger whose JSON lines are kept in memory, for asserting on what was logged. */
export function captureLogger(service = 'kit-test'): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    service,
    level: 'trace',
    destination: {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    },
  });
  return { logger, lines };
}
