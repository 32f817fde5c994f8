import { readFileSync } from 'node:fs';
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
  /** Sessions at most (503 on upgrade beyond); 0 = the open-file limit minus a margin. */
  GATEWAY_MAX_CONNECTIONS: envInt({ default: 0, min: 0, max: 10_000_000 }),
  /** Upgrades per second at most (429 with Retry-After beyond): connect storms after an outage. */
  GATEWAY_MAX_CONNECTS_PER_S: envInt({ default: 5_000, min: 1, max: 1_000_000 }),
  /** Client frames per second per connection (`rate_limited` beyond, then 4429). */
  GATEWAY_FRAMES_PER_S: envInt({ default: 50, min: 1, max: 100_000 }),
  /** Frames a connection may send at once above that rate. */
  GATEWAY_FRAME_BURST: envInt({ default: 100, min: 1, max: 1_000_000 }),
  /** Bytes queued for a client that does not read before it is closed with 4408. */
  GATEWAY_MAX_SEND_BUFFER_BYTES: envInt({ default: 2_097_152, min: 16_384, max: 1_073_741_824 }),
  /** WebSocket ping interval; a peer silent since the last ping (no pong) is cut. 0 = none. */
  GATEWAY_PING_INTERVAL_MS: envInt({ default: 30_000, min: 0, max: 3_600_000 }),
  /** On shutdown, devices reconnect after a random delay up to this. */
  GATEWAY_DRAIN_SPREAD_MS: envInt({ default: 5_000, min: 0, max: 300_000 }),
});

export interface GatewayConfig extends BaseConfig {
  readonly jwtSecret: string;
  readonly partitions: number;
  readonly maxFrameBytes: number;
  readonly maxWatched: number;
  readonly maxUsersPerCall: number;
  readonly heartbeatMs: number;
  readonly maxConnections: number;
  readonly maxConnectsPerS: number;
  readonly framesPerS: number;
  readonly frameBurst: number;
  readonly maxSendBufferBytes: number;
  readonly pingIntervalMs: number;
  readonly drainSpreadMs: number;
}

/** File descriptors kept for everything but device sockets: NATS, HTTP, gRPC, health checks. */
export const FD_MARGIN = 1_000;
/** The cap when the open-file limit cannot be read (or is unlimited). */
export const FALLBACK_MAX_CONNECTIONS = 19_000;

/** The default cap: the soft open-file limit (`/proc/self/limits`) minus FD_MARGIN. */
export function defaultMaxConnections(limits = readProcLimits()): number {
  const soft = limits?.match(/^Max open files\s+(\d+)/m)?.[1];
  if (soft === undefined) return FALLBACK_MAX_CONNECTIONS;
  return Math.max(1, Number(soft) - FD_MARGIN);
}

function readProcLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
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
    maxConnections: raw.GATEWAY_MAX_CONNECTIONS || defaultMaxConnections(),
    maxConnectsPerS: raw.GATEWAY_MAX_CONNECTS_PER_S,
    framesPerS: raw.GATEWAY_FRAMES_PER_S,
    frameBurst: raw.GATEWAY_FRAME_BURST,
    maxSendBufferBytes: raw.GATEWAY_MAX_SEND_BUFFER_BYTES,
    pingIntervalMs: raw.GATEWAY_PING_INTERVAL_MS,
    drainSpreadMs: raw.GATEWAY_DRAIN_SPREAD_MS,
  });
}
