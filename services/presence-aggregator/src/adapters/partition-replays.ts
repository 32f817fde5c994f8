import type { Logger } from '@presence/kit';
import { applyFacts } from '../domain/apply-facts.js';
import type { Fact } from '../domain/facts.js';
import { hasViews, viewsMoved, type UserRecord } from '../domain/record.js';
import { INITIAL_WORKSPACE, type Workspace } from '../domain/workspace.js';
import type { PartitionWrite } from '../read-models/projection.js';
import { decodeFact, type FactMessage } from './codec.js';

/** One partition being replayed: what it folded, and what is still to be written. */
interface Replay {
  workspace: Workspace;
  readonly users: Map<string, UserRecord>;
  /** Users whose views moved since their rows were last taken. */
  readonly moved: Set<string>;
  history: PartitionWrite['changes'][number][];
}

/** Partitions folded from sequence 1 in memory (a rebuild), handing out the rows to write. */
export interface PartitionReplays {
  /**
   * Folds messages in log order, `partitions[i]` being message i's; returns how many were facts
   * (unreadable ones are logged).
   */
  fold(messages: readonly FactMessage[], partitions: ArrayLike<number>): number;
  /** History rows folded and not taken yet. */
  pendingHistory(): number;
  /**
   * Takes what was folded since the last take: the history, and with `rows` the users whose views
   * moved. Folding may go on while they are written: records are immutable.
   */
  take(options: { readonly rows: boolean }): PartitionWrite[];
  /** Users with a row in `user_presence` (a view changed at least once). */
  rows(): number;
}

export function createPartitionReplays(
  partitions: readonly number[],
  logger: Logger,
): PartitionReplays {
  const replays = new Map<number, Replay>(
    partitions.map((partition) => [
      partition,
      { workspace: INITIAL_WORKSPACE, users: new Map(), moved: new Set(), history: [] },
    ]),
  );
  const replayOf = (partition: number): Replay => {
    const replay = replays.get(partition);
    if (!replay) throw new Error(`partition ${partition} is not replayed here`);
    return replay;
  };

  return {
    fold(messages, partitions) {
      const facts = new Map<number, Fact[]>();
      let count = 0;
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]!;
        const partition = partitions[i]!;
        const decoded = decodeFact(message);
        if (!decoded.ok) {
          logger.error(
            { seq: String(message.seq), reason: decoded.reason },
            'rebuild: skipping unreadable device event',
          );
          continue;
        }
        count += 1;
        let list = facts.get(partition);
        if (!list) facts.set(partition, (list = []));
        list.push(decoded.fact);
      }
      for (const [partition, partitionFacts] of facts) {
        const r = replayOf(partition);
        const applied = applyFacts({ workspace: r.workspace, users: r.users }, partitionFacts);
        for (const [user, record] of applied.updated) {
          if (viewsMoved(r.users.get(user), record)) r.moved.add(user);
          r.users.set(user, record);
        }
        r.workspace = applied.workspace;
        for (const change of applied.changes) r.history.push(change);
      }
      return count;
    },
    pendingHistory: () => [...replays.values()].reduce((sum, r) => sum + r.history.length, 0),
    take({ rows }) {
      return [...replays].map(([partition, r]) => {
        const records = rows ? [...r.moved].map((user) => r.users.get(user)!) : [];
        const taken = { partition, records, changes: r.history };
        if (rows) r.moved.clear();
        r.history = [];
        return taken;
      });
    },
    rows: () =>
      [...replays.values()].reduce(
        (sum, r) => sum + [...r.users.values()].filter(hasViews).length,
        0,
      ),
  };
}
