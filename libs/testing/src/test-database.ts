import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { POSTGRES_ADMIN_URL } from './provided-context.js';

/** A fresh, empty database on the test PostgreSQL server. */
export interface TestDatabase {
  /** `postgres://postgres@127.0.0.1:<port>/<name>` */
  readonly url: string;
  readonly name: string;
  /** Superuser URL of the server (database `postgres`). */
  readonly adminUrl: string;
  /** `DROP DATABASE ... WITH (FORCE)`: open connections are terminated. Idempotent. */
  drop(): Promise<void>;
}

async function asAdmin(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database named `<prefix>_<random>` on the server that the global setup
 * started (or that PRESENCE_TEST_DATABASE_URL names). Each spec gets its own database, so spec
 * files run in parallel without seeing each other's rows.
 */
export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(prefix)) {
    throw new Error(
      `createTestDatabase: prefix ${JSON.stringify(prefix)} must be lowercase letters, digits or _ (at most 40), starting with a letter`,
    );
  }
  const adminUrl = inject(POSTGRES_ADMIN_URL);
  if (!adminUrl) {
    throw new Error(
      'createTestDatabase: no PostgreSQL admin URL was provided; is libs/testing/src/global-setup.ts the globalSetup (see vitest.shared.mjs)?',
    );
  }
  // The name is [a-z0-9_] only (checked above, hex suffix), so it is safe unquoted in SQL.
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await asAdmin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    adminUrl,
    drop() {
      dropped ??= asAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return dropped;
    },
  };
}
