/**
 * Errors a caller is expected to handle. They keep the underlying error as `cause` (where there is
 * one) and come with `isXxx()` predicates, after nats.js.
 */

/**
 * Another writer moved a projection's checkpoint since this writer loaded it (a second replica, or a
 * blue/green swap). Nothing was written; reload the checkpoint and resume from the stored position.
 */
export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';

  constructor(
    readonly projection: string,
    readonly expected: bigint,
    readonly actual: bigint,
  ) {
    super(
      `projection ${JSON.stringify(projection)}: checkpoint is at ${actual} but this writer expected ${expected}; ` +
        'another writer moved it, so nothing was written (reload and resume from the stored position)',
    );
  }
}

/** True for a CheckpointConflictError (a consumer then reloads the checkpoint and resumes). */
export function isCheckpointConflictError(value: unknown): value is CheckpointConflictError {
  return value instanceof CheckpointConflictError;
}

/** A migration failed (or the migrator could not start); `migration` names the failing one if known. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';

  constructor(
    readonly schema: string,
    readonly direction: 'up' | 'down',
    readonly migration: string | undefined,
    options: { cause: unknown },
  ) {
    const what =
      migration === undefined ? 'the migrator' : `migration ${JSON.stringify(migration)}`;
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`schema ${schema}: ${what} failed migrating ${direction}: ${reason}`, options);
  }
}

/** True for a MigrationError. */
export function isMigrationError(value: unknown): value is MigrationError {
  return value instanceof MigrationError;
}
