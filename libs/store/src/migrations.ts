import {
  type Kysely,
  type Migration,
  type MigrationResultSet,
  Migrator,
  NO_MIGRATIONS,
  sql,
} from 'kysely';
import { ensureSchema } from './database.js';
import { MigrationError } from './errors.js';
import { requireSchemaName } from './schema-name.js';

/** Migrations imported as code, keyed by timestamp-prefixed names (`2026-11-22T0001-user-presence`). */
export type Migrations = Readonly<Record<string, Migration>>;

/** Which schema to migrate and with which migrations. */
export interface MigrateOptions {
  readonly schema: string;
  readonly migrations: Migrations;
}

/**
 * Creates the schema if needed and applies every pending migration, in name order, in one
 * transaction (PostgreSQL has transactional DDL). Kysely's bookkeeping tables live in the same
 * schema, so services sharing a database never see each other's history.
 *
 * Returns the names applied; throws a MigrationError naming the failing migration.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  options: MigrateOptions,
): Promise<readonly string[]> {
  const migrator = await prepare(db, options);
  return settle(options.schema, 'up', await migrator.migrateToLatest());
}

/**
 * Reverts the last `steps` applied migrations (default 1; more than were applied reverts all) in
 * one transaction. Returns the names reverted, newest first.
 */
export async function migrateDown<DB>(
  db: Kysely<DB>,
  options: MigrateOptions & { readonly steps?: number },
): Promise<readonly string[]> {
  const steps = options.steps ?? 1;
  if (!Number.isSafeInteger(steps) || steps < 1) {
    throw new RangeError(`steps must be a positive integer; got ${steps}`);
  }
  const migrator = await prepare(db, options);
  const applied = (await migrator.getMigrations()).filter((info) => info.executedAt !== undefined);
  // migrateTo keeps its target applied, so the target is the one just below the last `steps`.
  const target = applied[applied.length - steps - 1]?.name ?? NO_MIGRATIONS;
  return settle(options.schema, 'down', await migrator.migrateTo(target));
}

async function prepare<DB>(
  db: Kysely<DB>,
  { schema, migrations }: MigrateOptions,
): Promise<Migrator> {
  requireSchemaName(schema);
  await ensureSchema(db, schema);
  await requireSearchPath(db, schema);
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve({ ...migrations }) },
    migrationTableSchema: schema,
  });
}

/**
 * Migrations use unqualified names, so they land in the first schema of `search_path`. If that is
 * not the schema whose history we record, tables and bookkeeping would silently drift apart.
 */
async function requireSearchPath<DB>(db: Kysely<DB>, schema: string): Promise<void> {
  const { rows } = await sql<{
    current: string | null;
  }>`select current_schema() as current`.execute(db);
  const current = rows[0]?.current ?? null;
  if (current !== schema) {
    throw new Error(
      `cannot migrate schema ${schema}: unqualified names resolve to ${current ?? 'no schema'}; ` +
        `create the database with createDatabase({ schema: '${schema}' })`,
    );
  }
}

function settle(
  schema: string,
  direction: 'up' | 'down',
  { error, results = [] }: MigrationResultSet,
): string[] {
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error');
    throw new MigrationError(schema, direction, failed?.migrationName, { cause: error });
  }
  return results
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}
