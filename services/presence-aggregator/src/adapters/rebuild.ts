import { consumeOrdered, type NatsConnection } from '@presence/bus';
import type { Logger } from '@presence/kit';
import {
  createTableLike,
  lockCheckpoint,
  readCheckpoint,
  swapTables,
  type DatabaseOrTransaction,
} from '@presence/store';
import { sql, type Kysely } from 'kysely';
import { HISTORY_KEY, writePartition, type PartitionWrite } from '../read-models/projection.js';
import {
  PROJECTION_TABLES,
  nextTable,
  userPresenceProjection,
  type PresenceDatabase,
} from '../read-models/tables.js';
import { startFoldWorkers, type FoldWorkers, type ReplayBounds } from './fold-workers.js';

export interface RebuildResult {
  readonly eventsReplayed: number;
  /** Highest partition checkpoint the rebuilt tables reflect. */
  readonly position: bigint;
  readonly rows: number;
}

export interface RebuildDeps {
  readonly nc: NatsConnection;
  readonly db: Kysely<PresenceDatabase>;
  /** For the fold threads' own connections. */
  readonly databaseUrl: string;
  readonly schema: string;
  readonly partitions: number;
  /** Fold threads (partition mod threads each); the calling thread reads and routes. */
  readonly threads: number;
  readonly logger: Logger;
  readonly logLevel: string;
}

/**
 * Blue/green rebuild of the aggregator's read models (`user_presence`, `presence_history`): replays
 * DEVICE_EVENTS from sequence 1 into fresh tables, then swaps them in while the live partitions keep
 * running. Each partition is rebuilt exactly up to its live checkpoint, so the swapped-in rows match
 * the checkpoints and nothing is republished: first up to the checkpoints read at the start, then,
 * holding the checkpoint locks (live commits wait), the few events committed meanwhile, and the swap
 * in the same transaction.
 *
 * The log is read once, by this thread, which routes each message to the fold thread of its
 * partition; the fold threads append the history as they go (into a table without its key, which is
 * built once at the end of the bulk load) and write each user's row once.
 */
export async function rebuildProjections(deps: RebuildDeps): Promise<RebuildResult> {
  const { db, logger, partitions } = deps;
  for (const table of PROJECTION_TABLES) {
    await sql`drop table if exists ${sql.id(nextTable(table))}`.execute(db);
  }
  await createTableLike(db, { live: 'user_presence', next: nextTable('user_presence') });
  await createTableLike(
    db,
    { live: 'presence_history', next: nextTable('presence_history') },
    { indexes: false },
  );

  const first = await Promise.all(
    range(partitions).map((p) => readCheckpoint(db, userPresenceProjection(p))),
  );
  logger.info(
    { upTo: first.map(String), threads: deps.threads },
    'rebuild: replaying DEVICE_EVENTS from sequence 1',
  );
  const workers = startFoldWorkers({
    threads: deps.threads,
    partitions,
    databaseUrl: deps.databaseUrl,
    schema: deps.schema,
    logLevel: deps.logLevel,
  });
  try {
    let replayed = await replay(deps, workers, { after: first.map(() => 0n), upTo: first });
    const rows = await workers.finish();
    await sql`alter table ${sql.id(nextTable('presence_history'))}
      add primary key (${sql.join(HISTORY_KEY.map((column) => sql.id(column)))})`.execute(db);
    logger.info({ events: replayed, rows }, 'rebuild: caught up; swapping in');

    const final = await db.transaction().execute(async (trx) => {
      const locked: bigint[] = [];
      for (const p of range(partitions)) {
        locked.push(await lockCheckpoint(trx, userPresenceProjection(p)));
      }
      replayed += await replay(deps, workers, { after: first, upTo: locked });
      await write(trx, await workers.take());
      for (const table of PROJECTION_TABLES) {
        await swapTables(trx, { schema: deps.schema, live: table, next: nextTable(table) });
      }
      return locked;
    });
    const position = final.reduce((max, p) => (p > max ? p : max), 0n);
    const [{ count }] = (
      await sql<{ count: string }>`select count(*)::text as count from user_presence`.execute(db)
    ).rows as [{ count: string }];
    logger.info({ events: replayed, rows: count, position: String(position) }, 'rebuild: done');
    return { eventsReplayed: replayed, position, rows: Number(count) };
  } finally {
    await workers.close();
  }
}

/** Reads the events of each partition p with after[p] < seq <= upTo[p] into the fold threads. */
async function replay(
  deps: RebuildDeps,
  workers: FoldWorkers,
  bounds: ReplayBounds,
): Promise<number> {
  const from = min(bounds.after) + 1n;
  const to = max(bounds.upTo);
  if (to < from) return 0;
  // A failed fold thread fails the rebuild: retrying a batch would fold part of it twice.
  let failure: unknown;
  const consumption = consumeOrdered(deps.nc, {
    stream: 'DEVICE_EVENTS',
    filterSubject: 'device.v1.>',
    startSeq: from,
    endSeq: to,
    maxBatch: 5000,
    fetchSize: 10000,
    handle: async (batch) => {
      if (failure !== undefined) return;
      try {
        await workers.dispatch(batch, bounds);
      } catch (error) {
        failure = error;
        void consumption.stop();
      }
    },
    onError: (error, attempt) =>
      deps.logger.warn({ err: error, attempt }, 'rebuild: reading the log failed; retrying'),
  });
  await consumption.done;
  if (failure !== undefined) throw failure;
  return workers.drain();
}

/** The rows the locked catch-up folded, in the swap's transaction. */
async function write(
  trx: DatabaseOrTransaction<PresenceDatabase>,
  writes: readonly PartitionWrite[],
): Promise<void> {
  for (const { partition, records, changes } of writes) {
    await writePartition(trx, { partition, records, changes }, 'next');
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const min = (values: readonly bigint[]) => values.reduce((a, b) => (b < a ? b : a));
const max = (values: readonly bigint[]) => values.reduce((a, b) => (b > a ? b : a), 0n);
