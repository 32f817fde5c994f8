import { describe, expect, it } from 'vitest';
import { captureLogger } from './testing-fixtures/capture-logger.js';

describe('createLogger', () => {
  it('writes JSON lines with service, ISO time and the level as a label', () => {
    const { logger, lines } = captureLogger('gateway');
    logger.info({ port: 8080 }, 'listening');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'gateway',
      port: 8080,
      msg: 'listening',
      pid: process.pid,
    });
    expect(String(lines[0]?.['time'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('serializes errors under err with type, message and stack', () => {
    const { logger, lines } = captureLogger();
    logger.error({ err: new TypeError('bad') }, 'failed');
    expect(lines[0]?.['err']).toMatchObject({
      type: 'TypeError',
      message: 'bad',
      stack: expect.stringContaining('TypeError: bad'),
    });
  });
});
