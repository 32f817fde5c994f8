import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseOrTransaction } from './executor.js';
import { requireSchemaName } from './schema-name.js';

/** How to reach PostgreSQL and which schema the service owns. */
export interface DatabaseOptions {
  /** A `postgres://` connection URL. */
  readonly url: string;
  /** The service's schema; every pooled connection gets `search_path=<schema>`. */
  readonly schema: string;
  /** Pool size (pg `max`); defaults to 10. */
  readonly poolSize?: number;
  /** Shown in `pg_stat_activity.application_name`. */
  readonly applicationName?: string;
  /** Gives up connecting after this long instead of waiting forever; defaults to 10 s. */
  readonly connectTimeoutMs?: number;
  /**
   * Errors of idle pooled connections (server restart, network drop). The pool discards the broken
   * connection and reconnects on demand; without a listener node would crash the process on them.
   */
  readonly onPoolError?: (error: Error) => void;
}

/**
 * A Kysely instance over a `pg.Pool` whose connections all resolve unqualified names in the service's
 * schema, so queries and migrations never spell the schema out.
 *
 * Types are pg's defaults: `bigint` (int8) columns come back as strings, because a global type parser
 * would change every pool in the process. Code that needs a JS `bigint` (checkpoints) converts
 * explicitly with `BigInt(value)`.
 *
 * `destroy()` on the returned instance ends the pool.
 */
export function createDatabase<DB>(options: DatabaseOptions): Kysely<DB> {
  const schema = requireSchemaName(options.schema);
  const { connectionString, urlOptions } = splitUrlOptions(options.url);
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // Ours goes last so it wins over a search_path set in the URL's own `options`.
    options: [urlOptions, `-c search_path=${schema}`].filter(Boolean).join(' '),
    ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
  });
  pool.on('error', options.onPoolError ?? (() => undefined));
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * pg lets an `options` query parameter in the URL replace the `options` we pass, which would silently
 * drop the search_path; so it is taken out of the URL and merged instead.
 */
function splitUrlOptions(url: string): { connectionString: string; urlOptions: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new TypeError('url is not a valid postgres:// URL', { cause: error });
  }
  const urlOptions = parsed.searchParams.get('options') ?? '';
  if (urlOptions === '') return { connectionString: url, urlOptions };
  parsed.searchParams.delete('options');
  return { connectionString: parsed.toString(), urlOptions };
}

/** Creates the schema unless it exists; safe to race with other processes doing the same. */
export async function ensureSchema<DB>(
  db: DatabaseOrTransaction<DB>,
  schema: string,
): Promise<void> {
  const name = requireSchemaName(schema);
  try {
    await db.schema.createSchema(name).ifNotExists().execute();
  } catch (error) {
    // Two concurrent `CREATE SCHEMA IF NOT EXISTS` can still collide on the catalog's unique index.
    if (!(await schemaExists(db, name))) throw error;
  }
}

async function schemaExists<DB>(db: DatabaseOrTransaction<DB>, schema: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (select 1 from pg_namespace where nspname = ${schema}) as found
  `.execute(db);
  return rows[0]?.found === true;
}

/** Readiness check: true when a query round-trips within `timeoutMs` (default 2 s). */
export async function pingDatabase<DB>(
  db: DatabaseOrTransaction<DB>,
  timeoutMs = 2_000,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const query = sql`select 1`.execute(db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
