import { envInt, envPort, parseConfig } from '@presence/kit';
import { baseConfig, baseEnv, partitionsEnv, type BaseConfig } from '@presence/runtime';
import { z } from 'zod';

const schema = z.object({
  ...baseEnv,
  ...partitionsEnv,
  AGGREGATOR_GRPC_PORT: envPort(50052),
  AGGREGATOR_HTTP_PORT: envPort(8081),
  /** How often due timer facts are looked for; bounds how late an idle or grace timer fires. */
  AGGREGATOR_TIMER_TICK_MS: envInt({ default: 250, min: 10, max: 10_000 }),
  /** The smallest idle timeout users and admins may set (RULES.md 1: 60 s). */
  PRESENCE_MIN_IDLE_TIMEOUT_S: envInt({ default: 60, min: 1, max: 86_400 }),
});

export interface AggregatorConfig extends BaseConfig {
  readonly partitions: number;
  readonly timerTickMs: number;
  readonly minIdleTimeoutS: number;
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
): AggregatorConfig {
  const raw = parseConfig(schema, env);
  return Object.freeze({
    ...baseConfig(raw),
    grpcPort: raw.AGGREGATOR_GRPC_PORT,
    httpPort: raw.AGGREGATOR_HTTP_PORT,
    partitions: raw.PRESENCE_PARTITIONS,
    timerTickMs: raw.AGGREGATOR_TIMER_TICK_MS,
    minIdleTimeoutS: raw.PRESENCE_MIN_IDLE_TIMEOUT_S,
  });
}
