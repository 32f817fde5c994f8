import { envPort, parseConfig } from '@presence/kit';
import { baseConfig, baseEnv, type BaseConfig } from '@presence/runtime';
import { z } from 'zod';

const schema = z.object({
  ...baseEnv,
  ROOMS_GRPC_PORT: envPort(50053),
  ROOMS_HTTP_PORT: envPort(8082),
});

export type RoomsConfig = BaseConfig;

export function loadConfig(env: Record<string, string | undefined> = process.env): RoomsConfig {
  const raw = parseConfig(schema, env);
  return Object.freeze({
    ...baseConfig(raw),
    grpcPort: raw.ROOMS_GRPC_PORT,
    httpPort: raw.ROOMS_HTTP_PORT,
  });
}
