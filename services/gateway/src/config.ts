import { envInt, envPort, envString, parseConfig } from '@presence/kit';
import { baseConfig, baseEnv, partitionsEnv, type BaseConfig } from '@presence/runtime';
import { z } from 'zod';

/** The secret of the local run; anything reachable by others must set PRESENCE_JWT_SECRET. */
export const DEV_JWT_SECRET = 'presence-local-dev-secret-change-me';

const schema = z.object({
  ...baseEnv,
  ...partitionsEnv,
  GATEWAY_HTTP_PORT: envPort(8080),
  GATEWAY_GRPC_PORT: envPort(50051),
  PRESENCE_JWT_SECRET: envString(DEV_JWT_SECRET),
  /** Frames above this get an `error` frame `frame_too_large`; the socket stays open. */
  GATEWAY_MAX_FRAME_BYTES: envInt({ default: 16_384, min: 256, max: 1_048_576 }),
  /** Users one connection may watch (`watch_limit_exceeded` beyond). */
  GATEWAY_MAX_WATCHED: envInt({ default: 10_000, min: 1, max: 100_000 }),
  /** User ids in one GetPresence or WatchPresence call (INVALID_ARGUMENT beyond). */
  GATEWAY_MAX_USERS_PER_CALL: envInt({ default: 1_000, min: 1, max: 100_000 }),
  /** How often the gateway heart-beats (aggregators declare it lost after their liveness timeout). */
  GATEWAY_HEARTBEAT_MS: envInt({ default: 2_000, min: 100, max: 60_000 }),
});

export interface GatewayConfig extends BaseConfig {
  readonly jwtSecret: string;
  readonly partitions: number;
  readonly maxFrameBytes: number;
  readonly maxWatched: number;
  readonly maxUsersPerCall: number;
  readonly heartbeatMs: number;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const raw = parseConfig(schema, env);
  return Object.freeze({
    ...baseConfig(raw),
    grpcPort: raw.GATEWAY_GRPC_PORT,
    httpPort: raw.GATEWAY_HTTP_PORT,
    jwtSecret: raw.PRESENCE_JWT_SECRET,
    partitions: raw.PRESENCE_PARTITIONS,
    maxFrameBytes: raw.GATEWAY_MAX_FRAME_BYTES,
    maxWatched: raw.GATEWAY_MAX_WATCHED,
    maxUsersPerCall: raw.GATEWAY_MAX_USERS_PER_CALL,
    heartbeatMs: raw.GATEWAY_HEARTBEAT_MS,
  });
}
