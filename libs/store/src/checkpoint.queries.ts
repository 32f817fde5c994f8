import { sql, type Transaction } from 'kysely';
import type { DatabaseOrTransaction } from './executor.js';

// Plain SQL rather than the query builder: these take any service's database type, and a generic
// DB cannot be narrowed to one that includes the checkpoint table without a cast.

/** The stored position of a projection, 0n when it has none yet. */
export async function readCheckpoint<DB>(
  db: DatabaseOrTransaction<DB>,
  projection: string,
): Promise<bigint> {
  const { rows } = await sql<{ position: string }>`
    select position from projection_checkpoints where projection = ${projection}
  `.execute(db);
  return toPosition(rows[0]);
}

/**
 * Locks the projection's checkpoint row until the transaction ends and returns its position,
 * creating the row at 0 first if it is missing. Concurrent writers queue on this lock, so the
 * second one sees the first one's position and can tell it moved.
 */
export async function lockCheckpoint<DB>(
  trx: Transaction<DB>,
  projection: string,
): Promise<bigint> {
  const select = sql<{ position: string }>`
    select position from projection_checkpoints where projection = ${projection} for update
  `;
  let { rows } = await select.execute(trx);
  if (rows.length === 0) {
    // Only a projection's first batch pays for the insert; later ones take the lock in one trip.
    await sql`
      insert into projection_checkpoints (projection, position) values (${projection}, 0)
      on conflict (projection) do nothing
    `.execute(trx);
    ({ rows } = await select.execute(trx));
  }
  if (rows[0] === undefined)
    throw new Error(`checkpoint row for ${JSON.stringify(projection)} vanished`);
  return toPosition(rows[0]);
}

/** Sets the projection's position, creating the row if needed. */
export async function writeCheckpoint<DB>(
  db: DatabaseOrTransaction<DB>,
  projection: string,
  position: bigint,
): Promise<void> {
  await sql`
    insert into projection_checkpoints (projection, position) values (${projection}, ${position})
    on conflict (projection) do update set position = excluded.position
  `.execute(db);
}

/** int8 arrives as a string (pg's default, see createDatabase); checkpoints are JS bigints. */
function toPosition(row: { position: string } | undefined): bigint {
  return row === undefined ? 0n : BigInt(row.position);
}
