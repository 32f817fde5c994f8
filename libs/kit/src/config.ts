import type { z } from 'zod';

/** One invalid environment variable: its name, what was expected and what was given. */
export interface ConfigIssue {
  readonly variable: string;
  readonly expected: string;
  readonly given: string;
}

/**
 * Thrown by {@link parseConfig} when the environment does not match the schema. The message lists
 * every bad variable at once, so an operator fixes a deployment in one round instead of one
 * variable per restart.
 */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      [
        'Invalid configuration:',
        ...issues.map((i) => `  ${i.variable}: ${i.expected}, got ${i.given}`),
      ].join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** True for a {@link ConfigError} (the runner prints those plainly instead of as a stack trace). */
export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof ConfigError;
}

/**
 * Validates `env` against a schema whose keys are the environment variable names themselves
 * (`GATEWAY_PORT`, not `gatewayPort`), so every error can name the variable an operator has to
 * fix. Variables the schema does not mention are ignored. The result is deep-frozen: config is
 * read everywhere and must never be patched at runtime.
 *
 * @throws ConfigError naming every invalid variable.
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = issue.path.map(String).join('.') || '(config)';
        const [first] = issue.path;
        return {
          variable,
          expected: lowerFirst(issue.message),
          given: typeof first === 'string' ? showValue(first, env[first]) : 'the whole environment',
        };
      }),
    );
  }
  return deepFreeze(result.data);
}

// Secrets must not end up in crash logs just because they were too short.
const SECRET_NAME = /SECRET|PASSWORD|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY/i;
const MAX_SHOWN = 80;

function showValue(variable: string, value: string | undefined): string {
  if (value === undefined) return 'nothing (unset)';
  if (SECRET_NAME.test(variable)) return `a hidden value of ${value.length} characters`;
  const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value;
  return JSON.stringify(shown);
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
