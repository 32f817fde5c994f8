import { setTimeout as sleep } from 'node:timers/promises';
import { headers, jetstreamManager, type NatsConnection } from '@presence/bus';
import {
  GetPresenceAtRequest,
  GetPresenceAtResponse,
  partitionOf,
  subjects,
} from '@presence/contracts';
import { isDomainError, requireId, ValidationError } from '@presence/domain';
import type { Logger } from '@presence/kit';
import type { Kysely } from 'kysely';
import { readCheckpoint } from '@presence/store';
import { presenceAt } from '../read-models/queries.js';
import { userPresenceProjection, type PresenceDatabase } from '../read-models/tables.js';
import { encodeView } from './codec.js';

/** How long a query waits for the user's partition to commit what the log holds of them. */
const CATCH_UP_MS = 3_000;

/**
 * Answers GetPresenceAt (time travel) for the gateway over NATS request/reply, from
 * `presence_history`: the public view as of the last change at or before the instant. Replicas
 * share the queue group, so any one answers. Errors travel in the `error-code` / `error` headers.
 *
 * Partitions commit their rows a little after they publish the changes, so a query first waits
 * until the user's partition committed the user's last fact in the log: whoever saw a change
 * (and asks for now) gets it from the history too.
 */
export function servePresenceAt(deps: {
  readonly nc: NatsConnection;
  readonly db: Kysely<PresenceDatabase>;
  readonly partitions: number;
  readonly logger: Logger;
}): { stop(): void } {
  const jsm = jetstreamManager(deps.nc);

  async function committedUpToLastFactOf(userId: string): Promise<void> {
    const partition = partitionOf(userId, deps.partitions);
    const last = await (
      await jsm
    ).streams.getMessage('DEVICE_EVENTS', {
      last_by_subj: subjects.device(partition, userId),
    });
    if (!last) return;
    const projection = userPresenceProjection(partition);
    const deadline = performance.now() + CATCH_UP_MS;
    while ((await readCheckpoint(deps.db, projection)) < BigInt(last.seq)) {
      if (performance.now() > deadline) {
        deps.logger.warn(
          { partition, seq: last.seq },
          "GetPresenceAt: the partition has not committed the user's last fact; answering from what it has",
        );
        return;
      }
      await sleep(10);
    }
  }

  const subscription = deps.nc.subscribe(subjects.presenceAtQuery, {
    queue: 'presence-aggregator',
    callback: (error, message) => {
      if (error) return;
      void (async () => {
        try {
          const request = GetPresenceAtRequest.decode(message.data);
          const userId = requireId('user_id', request.userId);
          const at = new Date(request.at ?? Number.NaN);
          if (Number.isNaN(at.getTime())) {
            throw new ValidationError('invalid_field', 'at: a timestamp is required', 'at');
          }
          await committedUpToLastFactOf(userId);
          const found = await presenceAt(deps.db, userId, at);
          message.respond(
            GetPresenceAtResponse.encode({
              presence: encodeView(userId, found?.view ?? null, found?.version ?? 0),
            }).finish(),
          );
        } catch (failure) {
          const h = headers();
          h.set('error-code', isDomainError(failure) ? failure.code : 'internal');
          h.set('error-kind', isDomainError(failure) ? failure.kind : 'internal');
          h.set('error', isDomainError(failure) ? failure.message : 'internal error');
          if (!isDomainError(failure)) deps.logger.error({ err: failure }, 'GetPresenceAt failed');
          message.respond(new Uint8Array(), { headers: h });
        }
      })();
    },
  });
  return { stop: () => subscription.unsubscribe() };
}
