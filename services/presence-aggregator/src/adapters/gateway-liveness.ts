import { openBucket, type JetStreamClient, type KvWatchEntry } from '@presence/bus';
import { BUCKETS, GatewayHeartbeat } from '@presence/contracts';
import type { Logger } from '@presence/kit';

export interface GatewayLiveness {
  /** Gateways among `referenced` that stopped heart-beating (or never did) for the timeout. */
  lost(referenced: Iterable<string>): string[];
  /** Connections across the gateways heart-beating now (RULES.md 4). */
  connections(): number;
  stop(): Promise<void>;
}

interface Seen {
  readonly at: number;
  readonly connections: number;
}

/**
 * Watches the gateways' heart-beats (KV `presence_gateways`). Liveness is judged on this process's
 * clock from when each heart-beat arrived, never on the gateway's clock, so clock skew between
 * hosts cannot kill a live gateway. A gateway this process never heard from counts as lost once
 * the watch has run for the timeout (it died before we started, and its key expired).
 */
export function createGatewayLiveness(options: {
  readonly timeoutMs: number;
  readonly clock: () => number;
}) {
  const { timeoutMs, clock } = options;
  const seen = new Map<string, Seen>();
  const startedAt = clock();
  return {
    heartbeat(gatewayId: string, connections: number): void {
      seen.set(gatewayId, { at: clock(), connections });
    },
    gone(gatewayId: string): void {
      seen.delete(gatewayId);
    },
    lost(referenced: Iterable<string>): string[] {
      const now = clock();
      const lost: string[] = [];
      for (const gatewayId of referenced) {
        const last = seen.get(gatewayId)?.at ?? (now - startedAt >= timeoutMs ? -Infinity : now);
        if (now - last >= timeoutMs) lost.push(gatewayId);
      }
      return lost;
    },
    connections(): number {
      const now = clock();
      let total = 0;
      for (const { at, connections } of seen.values())
        if (now - at < timeoutMs) total += connections;
      return total;
    },
  };
}

/** The liveness of every gateway, fed by a watch of the heart-beat bucket. */
export async function watchGateways(deps: {
  readonly js: JetStreamClient;
  readonly logger: Logger;
  readonly timeoutMs: number;
  readonly clock: () => number;
}): Promise<GatewayLiveness> {
  const liveness = createGatewayLiveness(deps);
  const bucket = await openBucket(deps.js, {
    name: BUCKETS.gateways,
    description: 'Gateway heart-beats: key = gateway id, value = presence.v1.GatewayHeartbeat.',
    ttlMs: 60_000,
  });
  const watch = await bucket.watch();
  void (async () => {
    for await (const entry of watch as AsyncIterable<KvWatchEntry>) {
      if (entry.operation !== 'PUT') {
        liveness.gone(entry.key);
        continue;
      }
      try {
        liveness.heartbeat(entry.key, GatewayHeartbeat.decode(entry.value).connections);
      } catch (error) {
        deps.logger.warn({ err: error, gateway: entry.key }, 'unreadable gateway heart-beat');
      }
    }
  })();
  return {
    lost: (referenced) => liveness.lost(referenced),
    connections: () => liveness.connections(),
    stop: async () => {
      watch.stop();
    },
  };
}
