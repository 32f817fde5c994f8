import { createTestDatabase } from '@presence/testing';
import { type Kysely, type Migration, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointMigrations,
  createDatabase,
  isMigrationError,
  migrateDown,
  migrateToLatest,
  type Migrations,
} from './index.js';

const schema = 'store_migrations';

const widgets: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('widgets')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('widgets').execute();
  },
};
const migrations: Migrations = { ...checkpointMigrations, '2026-11-22T0001-widgets': widgets };

describe('migrations', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Kysely<unknown>;

  const tables = async (name = schema) => {
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = ${name} order by table_name
    `.execute(db);
    return rows.map((row) => row.table_name);
  };

  beforeAll(async () => {
    database = await createTestDatabase('store');
    db = createDatabase({ url: database.url, schema });
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('creates the schema, applies everything in name order and records it in the same schema', async () => {
    expect(await migrateToLatest(db, { schema, migrations })).toEqual([
      '2026-11-22T0000-store-projection-checkpoints',
      '2026-11-22T0001-widgets',
    ]);
    expect(await tables()).toEqual([
      'kysely_migration',
      'kysely_migration_lock',
      'projection_checkpoints',
      'widgets',
    ]);
    expect(await tables('public')).toEqual([]);
    expect(await migrateToLatest(db, { schema, migrations })).toEqual([]);
  });

  it('reverts one step by default, and all with more steps than applied', async () => {
    expect(await migrateDown(db, { schema, migrations })).toEqual(['2026-11-22T0001-widgets']);
    expect(await tables()).not.toContain('widgets');
    expect(await tables()).toContain('projection_checkpoints');

    await migrateToLatest(db, { schema, migrations });
    expect(await migrateDown(db, { schema, migrations, steps: 5 })).toEqual([
      '2026-11-22T0001-widgets',
      '2026-11-22T0000-store-projection-checkpoints',
    ]);
    expect(await tables()).toEqual(['kysely_migration', 'kysely_migration_lock']);
  });

  it('names the failing migration and rolls back the whole run', async () => {
    const broken: Migration = {
      async up(db: Kysely<unknown>) {
        await sql`select * from no_such_table`.execute(db);
      },
    };
    const failing = { ...migrations, '2026-11-22T0002-broken': broken };
    const error: unknown = await migrateToLatest(db, { schema, migrations: failing }).catch(
      (caught: unknown) => caught,
    );
    expect(isMigrationError(error)).toBe(true);
    expect(error).toMatchObject({ migration: '2026-11-22T0002-broken', direction: 'up', schema });
    expect((error as Error).message).toContain('"2026-11-22T0002-broken" failed migrating up');
    expect((error as Error).message).toContain('no_such_table');
    // The two good migrations ran in the same transaction, so they are gone too.
    expect(await tables()).toEqual(['kysely_migration', 'kysely_migration_lock']);
  });

  it('refuses to migrate a schema the connection does not resolve names in', async () => {
    await expect(migrateToLatest(db, { schema: 'store_other', migrations })).rejects.toThrowError(
      'cannot migrate schema store_other: unqualified names resolve to store_migrations',
    );
  });

  it('refuses a bad step count', async () => {
    await expect(migrateDown(db, { schema, migrations, steps: 0 })).rejects.toThrowError(
      'steps must be a positive integer',
    );
  });
});
