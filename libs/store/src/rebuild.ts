import { sql, type Transaction } from 'kysely';
import type { DatabaseOrTransaction } from './executor.js';
import { requireSchemaName } from './schema-name.js';

/**
 * Blue/green rebuilds (DESIGN.md "Rebuild"): replay the stream into `next` tables up to the live
 * checkpoint while the live projection keeps running, then in ONE transaction `lockCheckpoint` (live
 * commits wait), replay what was committed meanwhile, and `swapTables`. The checkpoint never moves,
 * so the live writer carries on and nothing it publishes is skipped or repeated. Taking the
 * checkpoint lock before touching tables, as the live writer does, keeps the swap deadlock-free.
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
 * With `indexes: false` the indexes (and so primary and unique keys) are left out, for a bulk load
 * that adds them afterwards (`ADD PRIMARY KEY` names it `<next>_pkey`, as `LIKE` would).
 */
export async function createTableLike<DB>(
  db: DatabaseOrTransaction<DB>,
  { live, next }: TablePair,
  options: { readonly indexes?: boolean } = {},
): Promise<void> {
  if (live === next) throw new TypeError(`live and next must differ; both are ${live}`);
  const excluding = options.indexes === false ? sql` excluding indexes` : sql``;
  await sql`create table ${sql.id(next)} (like ${sql.id(live)} including all${excluding})`.execute(
    db,
  );
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
