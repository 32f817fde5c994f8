import {
  consumeOrdered,
  createPublisher,
  type BusMessage,
  type Consumption,
  type JetStreamClient,
} from '@presence/bus';
import { subjects } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import { createProjectionWriter, isCheckpointConflictError } from '@presence/store';
import type { Kysely } from 'kysely';
import { applyFacts } from '../domain/apply-facts.js';
import type { DeviceFact } from '../domain/device-facts.js';
import type { UserRecord } from '../domain/presence-step.js';
import { writeRecords } from '../read-models/user-presence.projection.js';
import { loadRecords } from '../read-models/user-presence.queries.js';
import {
  userPresenceProjection,
  type PresenceDatabase,
} from '../read-models/user-presence.table.js';
import { decodeDeviceFact } from './codec.js';
import type { AggregatorMetrics } from './metrics.js';
import { presenceChangedEvent } from './presence-events.js';

export interface PartitionWorkerDeps {
  readonly js: JetStreamClient;
  readonly db: Kysely<PresenceDatabase>;
  readonly partition: number;
  readonly logger: Logger;
  readonly metrics: AggregatorMetrics;
}

/**
 * The live path of one partition: read DEVICE_EVENTS in order from the checkpoint, fold each
 * batch, publish the PresenceChanged events (pipelined), then write the rows and the checkpoint in
 * one transaction. Publishing before the commit means a crash in between republishes the same
 * `<user>:<version>` ids, which JetStream de-duplicates; committing first could lose a change.
 */
export async function startPartitionWorker(deps: PartitionWorkerDeps): Promise<Consumption> {
  const { js, db, partition, metrics } = deps;
  const logger = deps.logger.child({ partition });
  const writer = createProjectionWriter(db, { projection: userPresenceProjection(partition) });
  const publisher = createPublisher(js);
  /** Records of users seen since start; only updated after their batch committed. */
  const cache = new Map<string, UserRecord>();
  const start = await writer.load();
  logger.debug({ checkpoint: String(start) }, 'partition resumes after its checkpoint');

  async function handle(batch: readonly BusMessage[]): Promise<void> {
    const started = performance.now();
    const fresh = batch.filter((message) => message.seq > writer.position);
    const facts = decodeAll(fresh);
    const current = await recordsOf(facts);
    const { updated, changes } = applyFacts(current, facts);
    for (const change of changes) void publisher.publish(presenceChangedEvent(change));
    await publisher.flush();
    try {
      await writer.commit(batch, (trx) =>
        writeRecords(
          trx,
          [...updated.values()].map((record) => ({ record, partition })),
        ).then(() => undefined),
      );
    } catch (error) {
      if (isCheckpointConflictError(error)) {
        // Someone else moved the checkpoint: forget what we folded and resume from theirs.
        cache.clear();
        await writer.load();
      }
      throw error;
    }
    for (const [user, record] of current) cache.set(user, record);
    for (const [user, record] of updated) cache.set(user, record);
    metrics.eventsProcessed.inc({ partition }, fresh.length);
    metrics.changesPublished.inc({ partition }, changes.length);
    metrics.batchSeconds.observe((performance.now() - started) / 1000);
    metrics.checkpoint.set({ partition }, Number(writer.position));
  }

  function decodeAll(messages: readonly BusMessage[]): DeviceFact[] {
    const facts: DeviceFact[] = [];
    for (const message of messages) {
      const decoded = decodeDeviceFact(message);
      if (decoded.ok) {
        facts.push(decoded.fact);
      } else {
        // A fact nobody can read cannot change presence; skip it loudly rather than stall the partition.
        metrics.eventsRejected.inc({ partition });
        logger.error(
          { seq: String(message.seq), subject: message.subject, reason: decoded.reason },
          'skipping unreadable device event',
        );
      }
    }
    return facts;
  }

  async function recordsOf(facts: readonly DeviceFact[]): Promise<Map<string, UserRecord>> {
    const users = [...new Set(facts.map((fact) => fact.userId))];
    const current = new Map<string, UserRecord>();
    const missing: string[] = [];
    for (const user of users) {
      const cached = cache.get(user);
      if (cached) current.set(user, cached);
      else missing.push(user);
    }
    for (const [user, record] of await loadRecords(db, missing)) current.set(user, record);
    return current;
  }

  return consumeOrdered(js, {
    stream: 'DEVICE_EVENTS',
    filterSubject: subjects.devicePartition(partition),
    startSeq: start + 1n,
    handle,
    onError: (error, attempt) => {
      metrics.batchFailures.inc({ partition });
      logger.warn({ err: error, attempt }, 'batch failed; retrying from the checkpoint');
    },
  });
}
