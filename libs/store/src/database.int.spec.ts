import { createTestDatabase } from '@presence/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, ensureSchema, migrateToLatest, pingDatabase } from './index.js';

interface NotesDB {
  notes: { text: string };
}

const notesMigrations = {
  '2026-11-22T0001-notes': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('notes')
        .addColumn('text', 'text', (column) => column.notNull())
        .execute();
    },
  },
};

describe('createDatabase', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const open: Kysely<NotesDB>[] = [];
  const connect = (schema: string, url = database.url) => {
    const db = createDatabase<NotesDB>({
      url,
      schema,
      poolSize: 2,
      applicationName: `store-${schema}`,
    });
    open.push(db);
    return db;
  };

  beforeAll(async () => {
    database = await createTestDatabase('store');
  });
  afterAll(async () => {
    await Promise.all(open.map((db) => db.destroy()));
    await database.drop();
  });

  it('keeps each service in its own schema with unqualified queries', async () => {
    const alpha = connect('alpha');
    const beta = connect('beta');
    await migrateToLatest(alpha, { schema: 'alpha', migrations: notesMigrations });
    await migrateToLatest(beta, { schema: 'beta', migrations: notesMigrations });

    await alpha.insertInto('notes').values({ text: 'only in alpha' }).execute();

    expect(await alpha.selectFrom('notes').select('text').execute()).toEqual([
      { text: 'only in alpha' },
    ]);
    expect(await beta.selectFrom('notes').select('text').execute()).toEqual([]);
    const { rows } = await sql<{ schema: string; count: string }>`
      select 'alpha' as schema, count(*) as count from alpha.notes
      union all select 'beta', count(*) from beta.notes
    `.execute(beta);
    expect(rows).toEqual([
      { schema: 'alpha', count: '1' },
      { schema: 'beta', count: '0' },
    ]);
  });

  it('sets search_path on every pooled connection and names the application', async () => {
    const db = connect('gamma');
    await ensureSchema(db, 'gamma');
    // Two connections held at once, so both pooled clients are checked.
    const [first, second] = await Promise.all(
      [1, 2].map(() =>
        db.connection().execute((connection) =>
          sql<{ schema: string; app: string }>`
            select current_schema() as schema, current_setting('application_name') as app, pg_sleep(0.05)
          `.execute(connection),
        ),
      ),
    );
    expect(first?.rows[0]).toMatchObject({ schema: 'gamma', app: 'store-gamma' });
    expect(second?.rows[0]).toMatchObject({ schema: 'gamma', app: 'store-gamma' });
  });

  it('merges options given in the URL instead of losing the search_path', async () => {
    const url = new URL(database.url);
    url.searchParams.set('options', '-c statement_timeout=4321 -c search_path=public');
    const db = connect('delta', url.toString());
    await ensureSchema(db, 'delta');
    const { rows } = await sql<{ schema: string; timeout: string }>`
      select current_schema() as schema, current_setting('statement_timeout') as timeout
    `.execute(db);
    expect(rows[0]).toEqual({ schema: 'delta', timeout: '4321ms' });
  });

  it('creates a schema idempotently, even when racing', async () => {
    const db = connect('epsilon');
    await Promise.all([1, 2, 3].map(() => ensureSchema(db, 'epsilon_x')));
    const { rows } = await sql<{
      n: string;
    }>`select count(*) as n from pg_namespace where nspname = 'epsilon_x'`.execute(db);
    expect(rows[0]?.n).toBe('1');
  });

  it('answers readiness pings, false when the server is unreachable', async () => {
    expect(await pingDatabase(connect('zeta'))).toBe(true);
    const nowhere = new URL(database.url);
    nowhere.port = '1';
    expect(await pingDatabase(connect('zeta', nowhere.toString()), 1_000)).toBe(false);
  });
});
