import { envInt, envLogLevel, envString, envUrl, type LogLevel } from '@presence/kit';

/**
 * Variables every service reads, with defaults that work for the local run (`npm start`).
 * Services spread these into their own schema next to their ports.
 */
export const baseEnv = {
  NATS_URL: envUrl('nats://127.0.0.1:4222', ['nats', 'tls']),
  DATABASE_URL: envUrl('postgres://postgres@127.0.0.1:54320/presence', ['postgres', 'postgresql']),
  /** Stream replicas when a service declares its streams: 1 locally, 3 on a JetStream cluster. */
  NATS_STREAM_REPLICAS: envInt({ default: 1, min: 1, max: 5 }),
  /** Address the service's HTTP and gRPC servers bind; 0.0.0.0 in containers. */
  BIND_HOST: envString('127.0.0.1'),
  LOG_LEVEL: envLogLevel(),
};

/** Device partitions P of the deployment: the same for every gateway and aggregator, never changed. */
export const partitionsEnv = {
  PRESENCE_PARTITIONS: envInt({ default: 16, min: 1, max: 1024 }),
};

/** What the runtime needs from a service's config. */
export interface BaseConfig {
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly streamReplicas: number;
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly logLevel: LogLevel;
}

/** The base part of a parsed config, renamed; the service adds its ports and own settings. */
export function baseConfig(raw: {
  NATS_URL: string;
  DATABASE_URL: string;
  NATS_STREAM_REPLICAS: number;
  BIND_HOST: string;
  LOG_LEVEL: LogLevel;
}): Omit<BaseConfig, 'grpcPort' | 'httpPort'> {
  return {
    natsUrl: raw.NATS_URL,
    databaseUrl: raw.DATABASE_URL,
    streamReplicas: raw.NATS_STREAM_REPLICAS,
    host: raw.BIND_HOST,
    logLevel: raw.LOG_LEVEL,
  };
}
