import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface ConnectOptions {
  /** nats://host:port, comma-separated for a cluster. */
  readonly servers: string;
  /** Connection name shown in nats-server monitoring, e.g. `gateway-7f9c`. */
  readonly name: string;
  /** Called for connection status changes (disconnect, reconnect, errors) so services can log them. */
  readonly onStatus?: (status: { type: string; data?: unknown }) => void;
}

/**
 * Connects with reconnect forever. `noAsyncTraces` matters: without it the JetStream client spends
 * most of its publish CPU building stack traces for errors that never happen (TOOLCHAIN.md).
 */
export async function connectBus(options: ConnectOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: options.servers.split(',').map((server) => server.trim()),
    name: options.name,
    noAsyncTraces: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 250,
    pingInterval: 10_000,
    waitOnFirstConnect: false,
  });
  if (options.onStatus) void watchStatus(nc, options.onStatus);
  return nc;
}

async function watchStatus(
  nc: NatsConnection,
  onStatus: (status: { type: string; data?: unknown }) => void,
): Promise<void> {
  for await (const status of nc.status()) {
    onStatus({ type: status.type, data: 'data' in status ? status.data : undefined });
  }
}
