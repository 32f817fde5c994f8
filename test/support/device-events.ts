import { randomUUID } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  BUCKETS,
  DeviceEvent,
  Platform,
  PresenceChanged,
  partitionOf,
  subjects,
} from '@presence/contracts';

type Body = NonNullable<DeviceEvent['event']>;

/** Appends device facts straight to DEVICE_EVENTS, as a gateway would, and reads what came out. */
export async function deviceLog(natsUrl: string, partitions: number) {
  const nc: NatsConnection = await connect({ servers: natsUrl, noAsyncTraces: true });
  const js: JetStreamClient = jetstream(nc);
  let clock = Date.UTC(2026, 10, 22, 9, 0, 0);

  async function append(userId: string, event: Body): Promise<bigint> {
    const id = randomUUID();
    clock += 10;
    const occurredAt = new Date(clock).toISOString();
    const ack = await js.publish(
      subjects.device(partitionOf(userId, partitions), userId),
      DeviceEvent.encode({ eventId: id, userId, occurredAt, event }).finish(),
      { msgID: id },
    );
    return BigInt(ack.seq);
  }

  return {
    nc,
    js,
    append,
    connected: (userId: string, deviceId: string, sessionId: string, gatewayId = 'gw-test') =>
      append(userId, {
        $case: 'deviceConnected',
        value: { deviceId, sessionId, platform: Platform.PLATFORM_DESKTOP, gatewayId },
      }),
    activity: (userId: string, deviceId: string, sessionId: string) =>
      append(userId, { $case: 'deviceActivity', value: { deviceId, sessionId } }),
    goodbye: (userId: string, deviceId: string, sessionId: string) =>
      append(userId, {
        $case: 'deviceDisconnected',
        value: { deviceId, sessionId, reason: 1 },
      }),
    /** Every PresenceChanged stored for each user, in stream order. */
    async presenceChanges(): Promise<Map<string, PresenceChanged[]>> {
      const byUser = new Map<string, PresenceChanged[]>();
      const consumer = await js.consumers.get('PRESENCE', {
        filter_subjects: subjects.presenceChangedAll,
      });
      const info = await consumer.info();
      let left = info.num_pending;
      while (left > 0) {
        const batch = await consumer.fetch({ max_messages: Math.min(left, 1000), expires: 2000 });
        for await (const message of batch) {
          left -= 1;
          const change = PresenceChanged.decode(message.data);
          const list = byUser.get(change.view!.userId) ?? [];
          list.push(change);
          byUser.set(change.view!.userId, list);
        }
      }
      return byUser;
    },
    /** Owner of each partition lease (`p<n>` -> instance id). */
    async leases(): Promise<Record<string, string>> {
      const bucket = await new Kvm(js).open(BUCKETS.leases);
      const owners: Record<string, string> = {};
      for await (const key of await bucket.keys()) {
        if (!/^p\d+$/.test(key)) continue;
        const entry = await bucket.get(key);
        if (entry && entry.operation === 'PUT') owners[key] = entry.string();
      }
      return owners;
    },
    close: () => nc.close(),
  };
}

export type DeviceLog = Awaited<ReturnType<typeof deviceLog>>;
