import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { isConfigError, parseConfig } from './config.js';
import type { ConfigError } from './config.js';
import { envBool, envEnum, envInt, envLogLevel, envPort, envString, envUrl } from './env.js';

const schema = z.object({
  GATEWAY_PORT: envPort(8080),
  GATEWAY_GRPC_PORT: envPort(50051),
  NATS_URL: envUrl('nats://127.0.0.1:4222', ['nats', 'tls']),
  MAX_CONNECTIONS: envInt({ default: 19_000, min: 1, max: 19_500 }),
  PRESENCE_ENABLED: envBool(true),
  PLATFORM: envEnum(['desktop', 'web', 'mobile'], 'web'),
  LOG_LEVEL: envLogLevel(),
  PRESENCE_JWT_SECRET: envString('dev-secret'),
});

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('gives the defaults for an empty environment', () => {
    expect(parseConfig(schema, {})).toEqual({
      GATEWAY_PORT: 8080,
      GATEWAY_GRPC_PORT: 50051,
      NATS_URL: 'nats://127.0.0.1:4222',
      MAX_CONNECTIONS: 19_000,
      PRESENCE_ENABLED: true,
      PLATFORM: 'web',
      LOG_LEVEL: 'info',
      PRESENCE_JWT_SECRET: 'dev-secret',
    });
  });

  it('parses the strings of the environment and ignores variables it does not know', () => {
    const config = parseConfig(schema, {
      GATEWAY_PORT: ' 0 ',
      NATS_URL: 'tls://nats.internal:4222',
      MAX_CONNECTIONS: '500',
      PRESENCE_ENABLED: 'No',
      PLATFORM: 'mobile',
      LOG_LEVEL: 'DEBUG',
      HOME: '/root',
    });
    expect(config).toMatchObject({
      GATEWAY_PORT: 0,
      NATS_URL: 'tls://nats.internal:4222',
      MAX_CONNECTIONS: 500,
      PRESENCE_ENABLED: false,
      PLATFORM: 'mobile',
      LOG_LEVEL: 'debug',
    });
    expect(config).not.toHaveProperty('HOME');
  });

  it('infers the parsed types from the helpers', () => {
    const config = parseConfig(schema, {});
    expectTypeOf(config.GATEWAY_PORT).toEqualTypeOf<number>();
    expectTypeOf(config.PRESENCE_ENABLED).toEqualTypeOf<boolean>();
    expectTypeOf(config.PLATFORM).toEqualTypeOf<'desktop' | 'web' | 'mobile'>();
    expectTypeOf(config.LOG_LEVEL).toEqualTypeOf<
      'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'
    >();
    expectTypeOf(config).toHaveProperty('NATS_URL').toEqualTypeOf<string>();
  });

  it('treats an empty value as unset', () => {
    expect(parseConfig(schema, { GATEWAY_PORT: '', PRESENCE_ENABLED: ' ' })).toMatchObject({
      GATEWAY_PORT: 8080,
      PRESENCE_ENABLED: true,
    });
  });

  it('names every bad variable with what was expected and what was given', () => {
    const error = configError(() =>
      parseConfig(schema, {
        GATEWAY_GRPC_PORT: 'abc',
        GATEWAY_PORT: '70000',
        NATS_URL: 'http://127.0.0.1:4222',
        MAX_CONNECTIONS: '1.5',
        PRESENCE_ENABLED: 'maybe',
        PLATFORM: 'tv',
        LOG_LEVEL: 'loud',
      }),
    );
    expect(error.message).toBe(
      [
        'Invalid configuration:',
        '  GATEWAY_PORT: expected an integer port 0-65535 (0 = any free port), got "70000"',
        '  GATEWAY_GRPC_PORT: expected an integer port 0-65535 (0 = any free port), got "abc"',
        '  NATS_URL: expected a URL with scheme nats:// or tls://, got "http://127.0.0.1:4222"',
        '  MAX_CONNECTIONS: expected an integer between 1 and 19500, got "1.5"',
        '  PRESENCE_ENABLED: expected a boolean (true/false, 1/0, yes/no), got "maybe"',
        '  PLATFORM: expected one of desktop, web, mobile, got "tv"',
        '  LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, got "loud"',
      ].join('\n'),
    );
    expect(error.issues.map((issue) => issue.variable)).toHaveLength(7);
  });

  it('reports a missing required variable, and hides the value of secrets', () => {
    const strict = z.object({
      ROOM_ID: envString(),
      WORKERS: envInt({ min: 1 }),
      PRESENCE_JWT_SECRET: z.string().min(32),
    });
    const error = configError(() => parseConfig(strict, { PRESENCE_JWT_SECRET: 'short' }));
    expect(error.message).toContain(
      'ROOM_ID: expected a non-empty string (required), got nothing (unset)',
    );
    expect(error.message).toContain(
      'WORKERS: expected an integer >= 1 (required), got nothing (unset)',
    );
    expect(error.message).toMatch(
      /PRESENCE_JWT_SECRET: .*32.*, got a hidden value of 5 characters/,
    );
    expect(error.message).not.toContain('short');
  });

  it('returns a deep-frozen object', () => {
    const nested = z.object({
      PORT: envPort(1),
      EXTRA: z.object({ list: z.array(z.string()) }).default({ list: ['a'] }),
    });
    const config = parseConfig(nested, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.EXTRA)).toBe(true);
    expect(Object.isFrozen(config.EXTRA.list)).toBe(true);
    expect(() => {
      (config as { PORT: number }).PORT = 2;
    }).toThrow(TypeError);
  });
});
