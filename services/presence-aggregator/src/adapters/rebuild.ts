import { consumeOrdered, type BusMessage, type JetStreamClient } from '@presence/bus';
import { devicePartitionOf } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import { createTableLike, lockCheckpoint, readCheckpoint, swapTables } from '@presence/store';
import { sql, type Kysely } from 'kysely';
import { applyFacts } from '../domain/apply-facts.js';
import type { DeviceFact } from '../domain/device-facts.js';
import type { UserRecord } from '../domain/presence-step.js';
import { writeRecords } from '../read-models/user-presence.projection.js';
import {
  USER_PRESENCE,
  USER_PRESENCE_NEXT,
  userPresenceProjection,
  type PresenceDatabase,
} from '../read-models/user-presence.table.js';
import { decodeDeviceFact } from './codec.js';

export interface RebuildResult {
  readonly eventsReplayed: number;
  /** Highest partition checkpoint the rebuilt table reflects. */
  readonly position: bigint;
  readonly rows: number;
}

export interface RebuildDeps {
  readonly js: JetStreamClient;
  readonly db: Kysely<PresenceDatabase>;
  readonly schema: string;
  readonly partitions: number;
  readonly logger: Logger;
}

type Positions = readonly bigint[];
/** Records folded so far, and the partition of each user (for the row). */
interface ReplayState {
  readonly records: Map<string, UserRecord>;
  readonly partitions: Map<string, number>;
}

/**
 * Blue/green rebuild of `user_presence`: replays DEVICE_EVENTS from sequence 1 into a fresh table,
 * then swaps it in while the live partitions keep running. Each partition is rebuilt exactly up to
 * its live checkpoint, so the swapped-in rows match the checkpoints and nothing is republished:
 * first up to the checkpoints read at the start, then, holding the checkpoint locks (live commits
 * wait), the few events committed meanwhile, and the swap in the same transaction.
 */
export async function rebuildUserPresence(deps: RebuildDeps): Promise<RebuildResult> {
  const { db, logger, partitions } = deps;
  const state: ReplayState = { records: new Map(), partitions: new Map() };
  let replayed = 0;

  await sql`drop table if exists ${sql.id(USER_PRESENCE_NEXT)}`.execute(db);
  await createTableLike(db, { live: USER_PRESENCE, next: USER_PRESENCE_NEXT });

  const first = await Promise.all(
    range(partitions).map((p) => readCheckpoint(db, userPresenceProjection(p))),
  );
  logger.info({ upTo: first.map(String) }, 'rebuild: replaying DEVICE_EVENTS from sequence 1');
  replayed += await replay(deps, state, { after: range(partitions).map(() => 0n), upTo: first });
  await writeAll(db, state, state.records.keys());
  logger.info({ events: replayed, users: state.records.size }, 'rebuild: caught up; swapping in');

  const final = await db.transaction().execute(async (trx) => {
    const locked: bigint[] = [];
    for (const p of range(partitions))
      locked.push(await lockCheckpoint(trx, userPresenceProjection(p)));
    const touched = new Set<string>();
    replayed += await replay(deps, state, { after: first, upTo: locked }, touched);
    await writeAll(trx, state, touched);
    await swapTables(trx, { schema: deps.schema, live: USER_PRESENCE, next: USER_PRESENCE_NEXT });
    return locked;
  });
  const position = final.reduce((max, p) => (p > max ? p : max), 0n);
  logger.info(
    { events: replayed, rows: state.records.size, position: String(position) },
    'rebuild: done',
  );
  return { eventsReplayed: replayed, position, rows: state.records.size };
}

/** Folds the events of each partition p with after[p] < seq <= upTo[p] into `records`. */
async function replay(
  deps: RebuildDeps,
  state: ReplayState,
  bounds: { after: Positions; upTo: Positions },
  touched?: Set<string>,
): Promise<number> {
  const from = min(bounds.after) + 1n;
  const to = max(bounds.upTo);
  if (to < from) return 0;
  let count = 0;
  const consumption = consumeOrdered(deps.js, {
    stream: 'DEVICE_EVENTS',
    filterSubject: 'device.v1.>',
    startSeq: from,
    endSeq: to,
    maxBatch: 2000,
    fetchSize: 5000,
    handle: async (batch) => {
      count += fold(state, batch, bounds, deps.logger, touched);
    },
    onError: (error, attempt) =>
      deps.logger.warn({ err: error, attempt }, 'rebuild: replay failed; retrying'),
  });
  await consumption.done;
  return count;
}

function fold(
  state: ReplayState,
  batch: readonly BusMessage[],
  bounds: { after: Positions; upTo: Positions },
  logger: Logger,
  touched?: Set<string>,
): number {
  const facts: DeviceFact[] = [];
  for (const message of batch) {
    const partition = devicePartitionOf(message.subject);
    const after = bounds.after[partition];
    const upTo = bounds.upTo[partition];
    if (after === undefined || upTo === undefined || message.seq <= after || message.seq > upTo)
      continue;
    const decoded = decodeDeviceFact(message);
    if (!decoded.ok) {
      logger.error(
        { seq: String(message.seq), reason: decoded.reason },
        'rebuild: skipping unreadable device event',
      );
      continue;
    }
    facts.push(decoded.fact);
    state.partitions.set(decoded.fact.userId, partition);
  }
  const { updated } = applyFacts(state.records, facts);
  for (const [user, record] of updated) {
    state.records.set(user, record);
    touched?.add(user);
  }
  return facts.length;
}

async function writeAll(
  db: Kysely<PresenceDatabase>,
  state: ReplayState,
  users: Iterable<string>,
): Promise<void> {
  let chunk: { record: UserRecord; partition: number }[] = [];
  const flush = async () => {
    await writeRecords(db, chunk, USER_PRESENCE_NEXT);
    chunk = [];
  };
  for (const user of users) {
    chunk.push({ record: state.records.get(user)!, partition: state.partitions.get(user)! });
    if (chunk.length === 5000) await flush();
  }
  await flush();
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const min = (values: Positions) => values.reduce((a, b) => (b < a ? b : a));
const max = (values: Positions) => values.reduce((a, b) => (b > a ? b : a), 0n);
