import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { BusError } from './errors.js';
import { readEventMeta } from './headers.js';
import type { BusMessage } from './message.js';

/** Reads the last message stored on exactly `subject` (a KV-like "current value"), or null. */
export interface LastValueReader {
  last(subject: string): Promise<BusMessage | null>;
}

/**
 * Direct get (stream `allow_direct`), answered by any replica without a consumer; used for
 * snapshots such as a user's current presence view.
 */
export async function createLastValueReader(
  nc: NatsConnection,
  stream: string,
): Promise<LastValueReader> {
  const jsm: JetStreamManager = await jetstreamManager(nc);
  return {
    async last(subject) {
      try {
        const m = await jsm.direct.getMessage(stream, { last_by_subj: subject });
        if (m === null) return null;
        return {
          seq: BigInt(m.seq),
          subject: m.subject,
          data: m.data,
          meta: readEventMeta(m.header),
          storedAt: m.time,
          deliveries: 1,
          pending: 0,
        };
      } catch (error) {
        throw new BusError(
          `cannot read the last message of ${subject}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
  };
}
