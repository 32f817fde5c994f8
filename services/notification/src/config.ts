import { envPort, parseConfig } from '@presence/kit';
import { baseConfig, baseEnv, type BaseConfig } from '@presence/runtime';
import { z } from 'zod';

const schema = z.object({
  ...baseEnv,
  NOTIFICATION_GRPC_PORT: envPort(50055),
  NOTIFICATION_HTTP_PORT: envPort(8084),
});

export type NotificationConfig = BaseConfig;

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
): NotificationConfig {
  const raw = parseConfig(schema, env);
  return Object.freeze({
    ...baseConfig(raw),
    grpcPort: raw.NOTIFICATION_GRPC_PORT,
    httpPort: raw.NOTIFICATION_HTTP_PORT,
  });
}
