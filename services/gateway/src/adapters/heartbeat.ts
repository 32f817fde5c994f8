import { openBucket, type JetStreamClient } from '@presence/bus';
import { BUCKETS, GatewayHeartbeat } from '@presence/contracts';
import type { Logger } from '@presence/kit';

/**
 * The gateway's heart-beat (KV `presence_gateways`, key = gateway id): every `intervalMs` it says
 * the gateway is alive and how many connections it holds. The presence-aggregator turns a
 * heart-beat that stops into GatewayLost (its devices go offline: no ghost online users) and sums
 * the counts for the connection cap. A clean shutdown deletes the key.
 */
export async function startHeartbeat(deps: {
  readonly js: JetStreamClient;
  readonly gatewayId: string;
  readonly connections: () => number;
  readonly intervalMs: number;
  readonly logger: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const bucket = await openBucket(deps.js, {
    name: BUCKETS.gateways,
    description: 'Gateway heart-beats: key = gateway id, value = presence.v1.GatewayHeartbeat.',
    ttlMs: 60_000,
  });
  const startedAt = new Date().toISOString();
  const beat = async () => {
    const value = GatewayHeartbeat.encode({
      gatewayId: deps.gatewayId,
      connections: deps.connections(),
      startedAt,
      sentAt: new Date().toISOString(),
    }).finish();
    await bucket.put(deps.gatewayId, value);
  };
  await beat();
  let failing = false;
  const interval = setInterval(() => {
    beat().then(
      () => {
        if (failing) deps.logger.info('heart-beat restored');
        failing = false;
      },
      (error: unknown) => {
        if (!failing) deps.logger.warn({ err: error }, 'cannot heart-beat; retrying');
        failing = true;
      },
    );
  }, deps.intervalMs);
  return {
    async stop() {
      clearInterval(interval);
      await bucket.delete(deps.gatewayId).catch(() => undefined);
    },
  };
}
