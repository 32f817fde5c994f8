import { consumeOrdered, type BusMessage, type JetStreamClient } from '@presence/bus';
import { devicePartitionOf } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import {
  createTableLike,
  lockCheckpoint,
  readCheckpoint,
  swapTables,
  type DatabaseOrTransaction,
} from '@presence/store';
import { sql, type Kysely } from 'kysely';
import { applyFacts } from '../domain/apply-facts.js';
import type { Fact } from '../domain/facts.js';
import { hasViews, viewsMoved, type PresenceChange, type UserRecord } from '../domain/record.js';
import { INITIAL_WORKSPACE, type Workspace } from '../domain/workspace.js';
import { writePartition } from '../read-models/projection.js';
import {
  PROJECTION_TABLES,
  nextTable,
  userPresenceProjection,
  type PresenceDatabase,
} from '../read-models/tables.js';
import { decodeFact } from './codec.js';

export interface RebuildResult {
  readonly eventsReplayed: number;
  /** Highest partition checkpoint the rebuilt tables reflect. */
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

/** One partition being replayed: what it folded, and what to write next. */
interface Replay {
  workspace: Workspace;
  readonly users: Map<string, UserRecord>;
  /** Users whose views moved since their rows were last written. */
  readonly moved: Set<string>;
  history: PresenceChange[];
}

/**
 * Blue/green rebuild of the aggregator's read models (`user_presence`, `presence_history`): replays DEVICE_EVENTS from sequence 1 into fresh tables, then swaps them in
 * while the live partitions keep running. Each partition is rebuilt exactly up to its live
 * checkpoint, so the swapped-in rows match the checkpoints and nothing is republished: first up to
 * the checkpoints read at the start, then, holding the checkpoint locks (live commits wait), the
 * few events committed meanwhile, and the swap in the same transaction. History rows are written
 * as they come, user rows once (their last views), so the log is read once and rows written once.
 */
export async function rebuildProjections(deps: RebuildDeps): Promise<RebuildResult> {
  const { db, logger, partitions } = deps;
  const replays = range(partitions).map((): Replay => ({
    workspace: INITIAL_WORKSPACE,
    users: new Map(),
    moved: new Set(),
    history: [],
  }));
  let replayed = 0;

  for (const table of PROJECTION_TABLES) {
    await sql`drop table if exists ${sql.id(nextTable(table))}`.execute(db);
    await createTableLike(db, { live: table, next: nextTable(table) });
  }

  const first = await Promise.all(
    range(partitions).map((p) => readCheckpoint(db, userPresenceProjection(p))),
  );
  logger.info({ upTo: first.map(String) }, 'rebuild: replaying DEVICE_EVENTS from sequence 1');
  const bounds = { after: range(partitions).map(() => 0n), upTo: first };
  replayed += await replay(deps, replays, bounds, (batchReplays) =>
    flush(db, batchReplays, { rows: false }),
  );
  await flush(db, replays, { rows: true });
  logger.info({ events: replayed }, 'rebuild: caught up; swapping in');

  const final = await db.transaction().execute(async (trx) => {
    const locked: bigint[] = [];
    for (const p of range(partitions)) {
      locked.push(await lockCheckpoint(trx, userPresenceProjection(p)));
    }
    replayed += await replay(deps, replays, { after: first, upTo: locked });
    await flush(trx, replays, { rows: true });
    for (const table of PROJECTION_TABLES) {
      await swapTables(trx, { schema: deps.schema, live: table, next: nextTable(table) });
    }
    return locked;
  });
  const position = final.reduce((max, p) => (p > max ? p : max), 0n);
  const rows = replays.reduce((sum, r) => sum + countRows(r.users), 0);
  logger.info({ events: replayed, rows, position: String(position) }, 'rebuild: done');
  return { eventsReplayed: replayed, position, rows };
}

/** Folds the events of each partition p with after[p] < seq <= upTo[p]. */
async function replay(
  deps: RebuildDeps,
  replays: Replay[],
  bounds: { after: Positions; upTo: Positions },
  afterBatch?: (replays: Replay[]) => Promise<void>,
): Promise<number> {
  const from = min(bounds.after) + 1n;
  const to = max(bounds.upTo);
  if (to < from) return 0;
  let count = 0;
  let writing: Promise<void> = Promise.resolve();
  const consumption = consumeOrdered(deps.js, {
    stream: 'DEVICE_EVENTS',
    filterSubject: 'device.v1.>',
    startSeq: from,
    endSeq: to,
    maxBatch: 5000,
    fetchSize: 10000,
    handle: async (batch) => {
      count += fold(replays, batch, bounds, deps.logger);
      // History is append-only: write it as it comes rather than holding all of it, while the
      // fold goes on (one write in flight; the write took its rows when it started).
      if (afterBatch && replays.some((r) => r.history.length >= 20_000)) {
        await writing;
        writing = afterBatch(replays);
      }
    },
    onError: (error, attempt) =>
      deps.logger.warn({ err: error, attempt }, 'rebuild: replay failed; retrying'),
  });
  await consumption.done;
  await writing;
  return count;
}

function fold(
  replays: Replay[],
  batch: readonly BusMessage[],
  bounds: { after: Positions; upTo: Positions },
  logger: Logger,
): number {
  const facts = new Map<number, Fact[]>();
  let count = 0;
  for (const message of batch) {
    const partition = devicePartitionOf(message.subject);
    const after = bounds.after[partition];
    const upTo = bounds.upTo[partition];
    if (after === undefined || upTo === undefined || message.seq <= after || message.seq > upTo)
      continue;
    const decoded = decodeFact(message);
    if (!decoded.ok) {
      logger.error(
        { seq: String(message.seq), reason: decoded.reason },
        'rebuild: skipping unreadable device event',
      );
      continue;
    }
    count += 1;
    const list = facts.get(partition) ?? [];
    list.push(decoded.fact);
    facts.set(partition, list);
  }
  for (const [partition, partitionFacts] of facts) {
    const r = replays[partition]!;
    const applied = applyFacts({ workspace: r.workspace, users: r.users }, partitionFacts);
    for (const [user, record] of applied.updated) {
      if (viewsMoved(r.users.get(user), record)) r.moved.add(user);
      r.users.set(user, record);
    }
    r.workspace = applied.workspace;
    r.history.push(...applied.changes);
  }
  return count;
}

/**
 * Writes the history folded since the last flush into the `_next` tables, and with `rows` the
 * users whose views moved since. What is written is taken (and the replays reset) before the first
 * await, so folding may go on meanwhile: records are immutable, a later change makes a new one.
 */
async function flush(
  db: DatabaseOrTransaction<PresenceDatabase>,
  replays: readonly Replay[],
  options: { readonly rows: boolean },
): Promise<void> {
  const writes = replays.map((r, partition) => {
    const records = options.rows ? [...r.moved].map((user) => r.users.get(user)!) : [];
    const taken = { partition, records, history: r.history };
    if (options.rows) r.moved.clear();
    r.history = [];
    return taken;
  });
  for (const { partition, records, history } of writes) {
    for (let i = 0; i < Math.max(records.length, history.length); i += 5000) {
      await writePartition(
        db,
        { partition, records: records.slice(i, i + 5000), changes: history.slice(i, i + 5000) },
        'next',
      );
    }
  }
}

const countRows = (users: ReadonlyMap<string, UserRecord>) =>
  [...users.values()].filter(hasViews).length;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const min = (values: Positions) => values.reduce((a, b) => (b < a ? b : a));
const max = (values: Positions) => values.reduce((a, b) => (b > a ? b : a), 0n);
