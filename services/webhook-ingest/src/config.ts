import { envPort, parseConfig } from '@presence/kit';
import { baseConfig, baseEnv, type BaseConfig } from '@presence/runtime';
import { z } from 'zod';

const schema = z.object({
  ...baseEnv,
  WEBHOOK_GRPC_PORT: envPort(50056),
  WEBHOOK_HTTP_PORT: envPort(8090),
});

export type WebhookConfig = BaseConfig;

export function loadConfig(env: Record<string, string | undefined> = process.env): WebhookConfig {
  const raw = parseConfig(schema, env);
  return Object.freeze({
    ...baseConfig(raw),
    grpcPort: raw.WEBHOOK_GRPC_PORT,
    httpPort: raw.WEBHOOK_HTTP_PORT,
  });
}
