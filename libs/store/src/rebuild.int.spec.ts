import { createTestDatabase } from '@presence/testing';
import { type Kysely, sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointMigrations,
  createDatabase,
  createProjectionWriter,
  createTableLike,
  insertJsonRows,
  lockCheckpoint,
  migrateToLatest,
  readCheckpoint,
  swapTables,
  upsertRows,
} from './index.js';

const schema = 'store_rebuild';

interface ScoresDB {
  scores: { user_id: string; points: number };
  scores_next: { user_id: string; points: number };
}
interface Scored {
  readonly seq: bigint;
  readonly user: string;
  readonly points: number;
}

const scored = (seq: bigint, user: string, points: number): Scored => ({ seq, user, points });
const into =
  (table: 'scores' | 'scores_next') =>
  async (trx: Transaction<ScoresDB>, fresh: readonly Scored[]): Promise<void> => {
    await upsertRows(trx, {
      table,
      key: ['user_id'],
      columns: { user_id: 'text', points: 'integer' },
      rows: fresh.map(({ user, points }) => ({ user_id: user, points })),
    });
  };

describe('blue/green rebuild', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Kysely<ScoresDB>;

  const catalog = async () => {
    const { rows } = await sql<{ name: string }>`
      select relname as name from pg_class
      where relnamespace = ${schema}::regnamespace and relname like 'scores%' order by relname
    `.execute(db);
    return rows.map((row) => row.name);
  };
  const constraints = async () => {
    const { rows } = await sql<{ name: string }>`
      select conname as name from pg_constraint where conrelid = ${`${schema}.scores`}::regclass order by conname
    `.execute(db);
    return rows.map((row) => row.name);
  };
  /**
   * The rebuild pattern of the services: fill `scores_next` beside the live table, then lock the live
   * checkpoint (live commits wait), and swap in the same transaction; returns the live position.
   */
  const rebuild = async (events: readonly Scored[]) => {
    await createTableLike(db, { live: 'scores', next: 'scores_next' });
    return db.transaction().execute(async (trx) => {
      const position = await lockCheckpoint(trx, 'scores');
      await into('scores_next')(trx, events);
      await swapTables(trx, { schema, live: 'scores', next: 'scores_next' });
      return position;
    });
  };

  beforeAll(async () => {
    database = await createTestDatabase('store');
    db = createDatabase<ScoresDB>({ url: database.url, schema });
    await migrateToLatest(db, {
      schema,
      migrations: {
        ...checkpointMigrations,
        '2026-11-22T0001-scores': {
          async up(db: Kysely<unknown>) {
            await sql`
              create table scores (
                user_id text primary key,
                points integer not null constraint scores_points_check check (points >= 0)
              )
            `.execute(db);
            await sql`create index scores_points_idx on scores (points)`.execute(db);
          },
        },
      },
    });
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('swaps a rebuilt table in under the live checkpoint, with the same names, and the live writer carries on', async () => {
    const live = createProjectionWriter(db, { projection: 'scores' });
    await live.load();
    await live.commit([scored(1n, 'ann', 1), scored(2n, 'bob', 2)], into('scores'));
    const before = await catalog();

    // The rebuild replays the stream up to the live checkpoint (and fixes ann's score) beside the live table.
    const position = await rebuild([scored(1n, 'ann', 10), scored(2n, 'bob', 2)]);

    expect(position).toBe(2n);
    expect(await catalog()).toEqual(before);
    expect(before).toEqual(['scores', 'scores_pkey', 'scores_points_idx']);
    expect(await constraints()).toEqual(['scores_pkey', 'scores_points_check']);
    expect(await live.commit([scored(3n, 'cy', 3)], into('scores'))).toEqual({
      applied: 1,
      skipped: 0,
    });
    expect(await db.selectFrom('scores').selectAll().orderBy('user_id').execute()).toEqual([
      { user_id: 'ann', points: 10 },
      { user_id: 'bob', points: 2 },
      { user_id: 'cy', points: 3 },
    ]);
    expect(await readCheckpoint(db, 'scores')).toBe(3n);
  });

  it('keeps names stable across repeated rebuilds and keeps constraints enforced', async () => {
    await rebuild([scored(1n, 'ann', 1)]);
    await rebuild([scored(1n, 'ann', 1), scored(2n, 'eve', 5)]);
    expect(await catalog()).toEqual(['scores', 'scores_pkey', 'scores_points_idx']);
    expect(await db.selectFrom('scores').select('user_id').orderBy('user_id').execute()).toEqual([
      { user_id: 'ann' },
      { user_id: 'eve' },
    ]);
    await expect(
      db.insertInto('scores').values({ user_id: 'neg', points: -1 }).execute(),
    ).rejects.toThrowError(/scores_points_check/);
  });

  it('bulk loads into a next table without indexes, then the key added gets the names of a swap', async () => {
    await createTableLike(db, { live: 'scores', next: 'scores_next' }, { indexes: false });
    expect(await catalog()).toEqual(['scores', 'scores_next', 'scores_pkey', 'scores_points_idx']);
    // No key yet: duplicates go in (a rebuild appends each row once) and the check still holds.
    await insertJsonRows(db, {
      table: 'scores_next',
      columns: ['user_id', 'points'],
      rows: [
        { user_id: 'ann', points: 1 },
        { user_id: 'ann', points: 2 },
      ],
    });
    await expect(
      db.insertInto('scores_next').values({ user_id: 'neg', points: -1 }).execute(),
    ).rejects.toThrowError(/scores_points_check/);
    await expect(
      sql`alter table scores_next add primary key (user_id)`.execute(db),
    ).rejects.toThrowError(/could not create unique index/);
    await sql`delete from scores_next where points = 2`.execute(db);
    await sql`alter table scores_next add primary key (user_id)`.execute(db);
    await db
      .transaction()
      .execute((trx) => swapTables(trx, { schema, live: 'scores', next: 'scores_next' }));
    expect(await catalog()).toEqual(['scores', 'scores_pkey']);
    expect(await db.selectFrom('scores').selectAll().execute()).toEqual([
      { user_id: 'ann', points: 1 },
    ]);
    // Back to the full layout for the other tests.
    await createTableLike(db, { live: 'scores', next: 'scores_next' });
    await sql`create index scores_next_points_idx on scores_next (points)`.execute(db);
    await db
      .transaction()
      .execute((trx) => swapTables(trx, { schema, live: 'scores', next: 'scores_next' }));
  });

  it('refuses to create over a leftover next table', async () => {
    await createTableLike(db, { live: 'scores', next: 'scores_next' });
    await expect(createTableLike(db, { live: 'scores', next: 'scores_next' })).rejects.toThrowError(
      /"scores_next" already exists/,
    );
    await db.schema.dropTable('scores_next').execute();
    await expect(createTableLike(db, { live: 'scores', next: 'scores' })).rejects.toThrowError(
      'must differ',
    );
  });
});
