import { envPort, parseConfig } from '@presence/kit';
import { baseConfig, baseEnv, partitionsEnv, type BaseConfig } from '@presence/runtime';
import { z } from 'zod';

const schema = z.object({
  ...baseEnv,
  ...partitionsEnv,
  AGGREGATOR_GRPC_PORT: envPort(50052),
  AGGREGATOR_HTTP_PORT: envPort(8081),
});

export interface AggregatorConfig extends BaseConfig {
  readonly partitions: number;
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
  });
}
