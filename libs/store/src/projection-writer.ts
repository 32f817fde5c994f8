import type { Kysely, Transaction } from 'kysely';
import { freshEvents, type Sequenced } from './batch.js';
import { lockCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.queries.js';
import { CheckpointConflictError } from './errors.js';

/** What one `commit` did: events written, and redeliveries at or below the checkpoint dropped. */
export interface CommitResult {
  readonly applied: number;
  readonly skipped: number;
}

/**
 * Writes a projection's rows and its checkpoint together, one transaction per batch, so effects
 * are exactly-once on top of at-least-once delivery (DESIGN.md "Projections").
 */
export interface ProjectionWriter<DB> {
  readonly projection: string;
  /** Reads the stored checkpoint (0n when none) and remembers it; call before the first commit. */
  load(): Promise<bigint>;
  /** The remembered checkpoint: the last seq whose effects are committed. Throws before `load()`. */
  readonly position: bigint;
  /**
   * Drops events at or below the checkpoint; if any remain, in one transaction: locks the checkpoint,
   * checks nobody moved it (else CheckpointConflictError, nothing written), runs `write` with the
   * fresh events, and advances the checkpoint to the last one. Events must be in ascending seq order.
   */
  commit<E extends Sequenced>(
    events: readonly E[],
    write: (trx: Transaction<DB>, fresh: readonly E[]) => Promise<void>,
  ): Promise<CommitResult>;
}

/** Creates a writer for one projection; several writers of one projection detect each other. */
export function createProjectionWriter<DB>(
  db: Kysely<DB>,
  options: { readonly projection: string },
): ProjectionWriter<DB> {
  const { projection } = options;
  if (projection === '') throw new TypeError('projection must be a non-empty name');
  let remembered: bigint | undefined;
  let committing = false;

  const loaded = (): bigint => {
    if (remembered === undefined)
      throw new Error(`projection ${JSON.stringify(projection)}: call load() first`);
    return remembered;
  };

  return {
    projection,
    get position() {
      return loaded();
    },
    async load() {
      remembered = await readCheckpoint(db, projection);
      return remembered;
    },
    async commit(events, write) {
      const expected = loaded();
      const fresh = freshEvents(events, expected);
      const last = fresh.at(-1);
      if (last === undefined) return { applied: 0, skipped: events.length };
      // Overlapping commits would race on the remembered position; batches are sequential by design.
      if (committing)
        throw new Error(`projection ${JSON.stringify(projection)}: commit is already in progress`);
      committing = true;
      try {
        await db.transaction().execute(async (trx) => {
          const stored = await lockCheckpoint(trx, projection);
          if (stored !== expected) throw new CheckpointConflictError(projection, expected, stored);
          await write(trx, fresh);
          await writeCheckpoint(trx, projection, last.seq);
        });
      } finally {
        committing = false;
      }
      // Only now is the batch durable; a failed commit leaves the old position for the retry.
      remembered = last.seq;
      return { applied: fresh.length, skipped: events.length - fresh.length };
    },
  };
}
