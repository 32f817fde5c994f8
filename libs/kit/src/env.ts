import { z } from 'zod';

/**
 * A schema for one environment variable: takes the raw string (or `undefined` when unset) and
 * yields the typed value. An empty string counts as unset, because `FOO=` in a compose file or
 * `.env` almost always means "use the default".
 */
export type EnvSchema<T> = z.ZodType<T, string | undefined>;

const NO_DEFAULT = Symbol('no default');

/**
 * Builds an env schema from a parser that returns `undefined` for a bad value; `expected` is the
 * human wording used in {@link ConfigError} ("expected an integer port 0-65535").
 */
function envValue<T>(
  expected: string,
  parse: (raw: string) => T | undefined,
  fallback: T | typeof NO_DEFAULT,
): EnvSchema<T> {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      const trimmed = raw?.trim() ?? '';
      if (trimmed === '') {
        if (fallback !== NO_DEFAULT) return fallback;
        ctx.addIssue({ code: 'custom', message: `expected ${expected} (required)` });
        return z.NEVER;
      }
      const parsed = parse(trimmed);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
        return z.NEVER;
      }
      return parsed;
    });
}

function parseInteger(raw: string): number | undefined {
  return /^[+-]?\d+$/.test(raw) ? Number(raw) : undefined;
}

/** A TCP port; `0` is allowed and means "any free port" (tests run many services side by side). */
export function envPort(defaultPort: number): EnvSchema<number> {
  return envValue(
    'an integer port 0-65535 (0 = any free port)',
    (raw) => {
      const port = parseInteger(raw);
      return port !== undefined && port >= 0 && port <= 65_535 ? port : undefined;
    },
    defaultPort,
  );
}

/** An integer within optional bounds; without `default` the variable is required. */
export function envInt(
  options: { default?: number; min?: number; max?: number } = {},
): EnvSchema<number> {
  const { min, max } = options;
  const range =
    min !== undefined && max !== undefined
      ? ` between ${min} and ${max}`
      : min !== undefined
        ? ` >= ${min}`
        : max !== undefined
          ? ` <= ${max}`
          : '';
  return envValue(
    `an integer${range}`,
    (raw) => {
      const value = parseInteger(raw);
      if (value === undefined || !Number.isSafeInteger(value)) return undefined;
      if ((min !== undefined && value < min) || (max !== undefined && value > max))
        return undefined;
      return value;
    },
    options.default ?? NO_DEFAULT,
  );
}

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/** A boolean written as true/false, 1/0 or yes/no (any case). */
export function envBool(defaultValue: boolean): EnvSchema<boolean> {
  return envValue(
    'a boolean (true/false, 1/0, yes/no)',
    (raw) => {
      const lower = raw.toLowerCase();
      return TRUE.has(lower) ? true : FALSE.has(lower) ? false : undefined;
    },
    defaultValue,
  );
}

/** Any non-empty string (kept as given, untrimmed); without a default the variable is required. */
export function envString(defaultValue?: string): EnvSchema<string> {
  return z
    .string()
    .optional()
    .transform((raw, ctx): string => {
      if (raw !== undefined && raw.trim() !== '') return raw;
      if (defaultValue !== undefined) return defaultValue;
      ctx.addIssue({ code: 'custom', message: 'expected a non-empty string (required)' });
      return z.NEVER;
    });
}

/**
 * An absolute URL, returned as written (trimmed). `protocols` restricts the scheme, with or
 * without the trailing colon: `envUrl('nats://127.0.0.1:4222', ['nats', 'tls'])`.
 */
export function envUrl(defaultUrl: string, protocols?: readonly string[]): EnvSchema<string> {
  const allowed = protocols?.map((p) => (p.endsWith(':') ? p : `${p}:`).toLowerCase());
  const wording = allowed
    ? `a URL with scheme ${allowed.map((p) => `${p}//`).join(' or ')}`
    : 'an absolute URL';
  return envValue(
    wording,
    (raw) => {
      if (!URL.canParse(raw)) return undefined;
      const { protocol } = new URL(raw);
      return allowed === undefined || allowed.includes(protocol) ? raw : undefined;
    },
    defaultUrl,
  );
}

/** One of a fixed set of strings, typed as their union; case-insensitive (`INFO` reads as `info`). */
export function envEnum<const V extends readonly [string, ...string[]]>(
  values: V,
  defaultValue: V[number],
): EnvSchema<V[number]> {
  return envValue(
    `one of ${values.join(', ')}`,
    (raw) => values.find((value) => value.toLowerCase() === raw.toLowerCase()),
    defaultValue,
  );
}

/** pino's level names, lowest to highest, plus `silent`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** A log level name for {@link createLogger}, `info` unless told otherwise. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The log level variable, `info` by default. */
export function envLogLevel(defaultLevel: LogLevel = 'info'): EnvSchema<LogLevel> {
  return envEnum(LOG_LEVELS, defaultLevel);
}
