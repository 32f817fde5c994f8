import { envPort, parseConfig } from '@presence/kit';
import { baseConfig, baseEnv, type BaseConfig } from '@presence/runtime';
import { z } from 'zod';

const schema = z.object({
  ...baseEnv,
  MEETINGS_GRPC_PORT: envPort(50054),
  MEETINGS_HTTP_PORT: envPort(8083),
});

export type MeetingsConfig = BaseConfig;

export function loadConfig(env: Record<string, string | undefined> = process.env): MeetingsConfig {
  const raw = parseConfig(schema, env);
  return Object.freeze({
    ...baseConfig(raw),
    grpcPort: raw.MEETINGS_GRPC_PORT,
    httpPort: raw.MEETINGS_HTTP_PORT,
  });
}
