import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './test-database.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  it('creates an empty database that accepts queries, and drop() removes it', async () => {
    const database = await createTestDatabase('testing');
    expect(database.name).toMatch(/^testing_[0-9a-f]{12}$/);
    expect(database.url.endsWith(`/${database.name}`)).toBe(true);

    const [current] = await query<{ name: string }>(
      database.url,
      'SELECT current_database() AS name',
    );
    expect(current?.name).toBe(database.name);
    const tables = await query(database.url, "SELECT 1 FROM pg_tables WHERE schemaname = 'public'");
    expect(tables).toEqual([]);
    await query(database.url, 'CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)');

    // An open connection must not block the drop (WITH (FORCE)).
    const lingering = new pg.Client({ connectionString: database.url });
    await lingering.connect();
    lingering.on('error', () => undefined); // the server terminates it
    await database.drop();
    await database.drop(); // idempotent

    const left = await query(
      database.adminUrl,
      `SELECT 1 FROM pg_database WHERE datname = '${database.name}'`,
    );
    expect(left).toEqual([]);
    await lingering.end().catch(() => undefined);
  });

  it('gives every call its own database', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    expect(a.name).not.toBe(b.name);
    await Promise.all([a.drop(), b.drop()]);
  });

  it('rejects a prefix that is not a plain identifier', async () => {
    await expect(createTestDatabase('Bad-Name')).rejects.toThrow(/prefix "Bad-Name"/);
  });
});
