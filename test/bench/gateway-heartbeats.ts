import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { BUCKETS, GatewayHeartbeat } from '@presence/contracts';

/**
 * The gateways the workload's connections claim to be on (`gateway-0`...) heart-beat like real
 * ones (KV `presence_gateways`, every 2 s, as GATEWAY_HEARTBEAT_MS defaults), so the aggregator
 * does not declare them lost and take every device offline ten seconds into the run. The bucket is
 * opened, not created: the aggregator declares it at start.
 */
export async function heartbeatGateways(
  js: JetStreamClient,
  gatewayIds: readonly string[],
  connectionsEach: number,
): Promise<{ stop(): Promise<void> }> {
  const bucket = await new Kvm(js).open(BUCKETS.gateways);
  const startedAt = new Date().toISOString();
  const beat = () =>
    Promise.all(
      gatewayIds.map((gatewayId) =>
        bucket.put(
          gatewayId,
          GatewayHeartbeat.encode({
            gatewayId,
            connections: connectionsEach,
            startedAt,
            sentAt: new Date().toISOString(),
          }).finish(),
        ),
      ),
    );
  await beat();
  let failure: unknown;
  const interval = setInterval(() => {
    beat().catch((error: unknown) => (failure ??= error));
  }, 2000);
  return {
    async stop() {
      clearInterval(interval);
      if (failure !== undefined)
        console.warn(`  (a gateway heart-beat failed: ${(failure as Error).message})`);
    },
  };
}
