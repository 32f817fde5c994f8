import { sql, type Transaction } from 'kysely';
import { deleteCheckpoint, writeCheckpoint } from './checkpoint.queries.js';
import type { DatabaseOrTransaction } from './executor.js';
import { requireSchemaName } from './schema-name.js';

/**
 * Blue/green rebuilds (DESIGN.md "Rebuild"): replay the stream into `next` tables with their own
 * projection name while the live projection keeps running, then in ONE transaction
 * `promoteCheckpoint` and `swapTables` for each table. The live writer's next commit then fails with
 * CheckpointConflictError; it reloads and resumes from the promoted position.
 *
 * Not copied by `LIKE ... INCLUDING ALL`: foreign keys and triggers (read models have neither).
 * Identity and serial columns would get new sequences, but read models take their values from events.
 */

/** Names of the table in service and the one being rebuilt beside it. */
export interface TablePair {
  readonly live: string;
  readonly next: string;
}

/**
 * Creates `next` with the columns, defaults, constraints and indexes of `live`. Fails if `next`
 * exists: a leftover of an interrupted rebuild is dropped by the caller on purpose, not here.
 */
export async function createTableLike<DB>(
  db: DatabaseOrTransaction<DB>,
  { live, next }: TablePair,
): Promise<void> {
  if (live === next) throw new TypeError(`live and next must differ; both are ${live}`);
  await sql`create table ${sql.id(next)} (like ${sql.id(live)} including all)`.execute(db);
}

/**
 * Moves the rebuild's checkpoint (`from`) onto the live projection (`to`) and returns it. Call it
 * before `swapTables` in the same transaction: the live writer locks its checkpoint row before
 * touching tables, and taking the locks in the same order is what keeps the swap deadlock-free.
 */
export async function promoteCheckpoint<DB>(
  trx: Transaction<DB>,
  { from, to }: { readonly from: string; readonly to: string },
): Promise<bigint> {
  const position = await deleteCheckpoint(trx, from);
  await writeCheckpoint(trx, to, position);
  return position;
}

/**
 * Replaces `live` by `next` inside the caller's transaction: drops `live` (refused if a view or key
 * depends on it), renames `next` to `live`, and renames `next`'s indexes (and so their constraints)
 * from `<next>_...` to `<live>_...`, the names `LIKE` generated, so every rebuild ends with the same
 * names and the next rebuild's `LIKE` finds no clash.
 */
export async function swapTables<DB>(
  trx: Transaction<DB>,
  options: TablePair & { readonly schema: string },
): Promise<void> {
  const schema = requireSchemaName(options.schema);
  const { live, next } = options;
  if (live === next) throw new TypeError(`live and next must differ; both are ${live}`);
  await sql`lock table ${sql.id(schema, live)}, ${sql.id(schema, next)} in access exclusive mode`.execute(
    trx,
  );
  await sql`drop table ${sql.id(schema, live)}`.execute(trx);
  await sql`alter table ${sql.id(schema, next)} rename to ${sql.id(live)}`.execute(trx);
  const { rows } = await sql<{ name: string }>`
    select c.relname as name
    from pg_index i join pg_class c on c.oid = i.indexrelid
    where i.indrelid = to_regclass(format('%I.%I', ${schema}::text, ${live}::text))
    order by c.relname
  `.execute(trx);
  for (const { name } of rows) {
    if (!name.startsWith(`${next}_`)) continue;
    const renamed = `${live}_${name.slice(next.length + 1)}`;
    await sql`alter index ${sql.id(schema, name)} rename to ${sql.id(renamed)}`.execute(trx);
  }
}
