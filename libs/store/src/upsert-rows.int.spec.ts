import { createTestDatabase } from '@presence/testing';
import { type Kysely, type KyselyPlugin, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDatabase,
  deleteRows,
  ensureSchema,
  type PgColumns,
  upsertJsonRows,
  upsertRows,
} from './index.js';

const schema = 'store_upsert';

const columns = {
  tenant: 'text',
  id: 'bigint',
  body: 'jsonb',
  tags: 'text[]',
  seen_at: 'timestamptz',
  active: 'boolean',
  rank: 'integer',
} as const satisfies PgColumns;

interface DocsDB {
  docs: {
    tenant: string;
    id: string;
    body: unknown;
    tags: string[] | null;
    seen_at: Date | null;
    active: boolean | null;
    rank: number | null;
  };
}

/** Counts statements sent, to prove a whole batch is one statement. */
function statementCounter(): KyselyPlugin & { count: number } {
  return {
    count: 0,
    transformQuery(args) {
      this.count += 1;
      return args.node;
    },
    transformResult(args) {
      return Promise.resolve(args.result);
    },
  };
}

const doc = (id: number, version: number) => ({
  tenant: `t${id % 7}`,
  id: BigInt(id),
  // JSON arrays at the top level are the case pg would otherwise send as a nested SQL array.
  body:
    id % 3 === 0
      ? [id, `v${version}`, { nested: ['a', null] }]
      : { id, version, text: 'quote " and \\ and {,}' },
  tags: id % 5 === 0 ? null : [`v${version}`, 'with,comma', 'NULL', ''],
  seen_at: id % 4 === 0 ? null : new Date(Date.UTC(2026, 10, 22, 0, 0, id % 60)),
  active: id % 2 === 0 ? null : version > 1,
  rank: id % 11 === 0 ? null : id * version,
});

describe('upsertRows', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Kysely<DocsDB>;

  beforeAll(async () => {
    database = await createTestDatabase('store');
    db = createDatabase<DocsDB>({ url: database.url, schema });
    await ensureSchema(db, schema);
    await sql`
      create table docs (
        tenant text not null, id bigint not null, body jsonb, tags text[], seen_at timestamptz,
        active boolean, rank integer, primary key (tenant, id)
      )
    `.execute(db);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });
  beforeEach(async () => {
    await db.deleteFrom('docs').execute();
  });

  it('writes 10k rows with jsonb, text[], nulls and repeated keys in one statement', async () => {
    const rows = Array.from({ length: 10_000 }, (_, id) => doc(id, 1));
    // 500 keys repeated later in the batch with a newer version: the last one must win.
    const repeated = Array.from({ length: 500 }, (_, index) => doc(index * 20, 2));
    const counter = statementCounter();

    const written = await upsertRows(db.withPlugin(counter), {
      table: 'docs',
      key: ['tenant', 'id'],
      columns,
      rows: [...rows, ...repeated],
    });

    expect(written).toBe(10_000);
    expect(counter.count).toBe(1);
    const stored = await db.selectFrom('docs').selectAll().orderBy('id').execute();
    expect(stored).toHaveLength(10_000);
    for (const id of [0, 1, 3, 4, 5, 20, 33, 9_999]) {
      const version = id % 20 === 0 && id < 10_000 ? 2 : 1;
      const { id: bigId, ...expected } = doc(id, version);
      expect(stored[id]).toEqual({ ...expected, id: String(bigId) });
    }
  });

  it('upsertJsonRows: the batch as one jsonb parameter, last row of a key wins, one statement', async () => {
    const asJson = (id: number, version: number) => ({ ...doc(id, version), id: String(id) });
    const rows = Array.from({ length: 5_000 }, (_, id) => asJson(id, 1));
    const repeated = Array.from({ length: 250 }, (_, index) => asJson(index * 20, 2));
    const counter = statementCounter();

    const written = await upsertJsonRows(db.withPlugin(counter), {
      table: 'docs',
      key: ['tenant', 'id'],
      columns: Object.keys(columns),
      rows: [...rows, ...repeated],
    });

    expect(written).toBe(5_000);
    expect(counter.count).toBe(1);
    const stored = await db.selectFrom('docs').selectAll().orderBy('id').execute();
    for (const id of [0, 1, 3, 4, 5, 20, 33, 4_999]) {
      const version = id % 20 === 0 ? 2 : 1;
      expect(stored[id]).toEqual(asJson(id, version));
    }
  });

  it('refuses a batch without a conflict key, whichever way it travels', async () => {
    const base = { table: 'docs', key: [], rows: [] };
    await expect(upsertRows(db, { ...base, columns })).rejects.toThrow(/key must name/);
    await expect(upsertJsonRows(db, { ...base, columns: ['id'] })).rejects.toThrow(/key must name/);
  });

  it('updates the non-key columns of existing rows', async () => {
    await upsertRows(db, {
      table: 'docs',
      key: ['tenant', 'id'],
      columns,
      rows: [doc(1, 1), doc(2, 1)],
    });
    await upsertRows(db, {
      table: 'docs',
      key: ['tenant', 'id'],
      columns: { tenant: 'text', id: 'bigint', rank: 'integer' },
      rows: [{ tenant: 't1', id: 1n, rank: 99 }],
    });
    const stored = await db
      .selectFrom('docs')
      .select(['id', 'rank', 'body'])
      .orderBy('id')
      .execute();
    expect(stored).toEqual([
      { id: '1', rank: 99, body: doc(1, 1).body },
      { id: '2', rank: 2, body: doc(2, 1).body },
    ]);
  });

  it('does nothing for an empty batch and leaves rows alone when only key columns are given', async () => {
    const counter = statementCounter();
    expect(
      await upsertRows(db.withPlugin(counter), {
        table: 'docs',
        key: ['tenant', 'id'],
        columns,
        rows: [],
      }),
    ).toBe(0);
    expect(counter.count).toBe(0);

    await upsertRows(db, { table: 'docs', key: ['tenant', 'id'], columns, rows: [doc(1, 1)] });
    const keyOnly = { tenant: 'text', id: 'bigint' } as const;
    const written = await upsertRows(db, {
      table: 'docs',
      key: ['tenant', 'id'],
      columns: keyOnly,
      rows: [
        { tenant: 't1', id: 1 },
        { tenant: 't2', id: 2 },
      ],
    });
    expect(written).toBe(1);
    expect(await db.selectFrom('docs').select(['id', 'rank']).orderBy('id').execute()).toEqual([
      { id: '1', rank: 1 },
      { id: '2', rank: null },
    ]);
  });

  it('deletes rows by composite key in one statement', async () => {
    await upsertRows(db, {
      table: 'docs',
      key: ['tenant', 'id'],
      columns,
      rows: [1, 2, 3, 4].map((id) => doc(id, 1)),
    });
    const counter = statementCounter();
    const deleted = await deleteRows(db.withPlugin(counter), {
      table: 'docs',
      key: { tenant: 'text', id: 'bigint' },
      values: [
        { tenant: 't1', id: 1n },
        { tenant: 't3', id: '3' },
        { tenant: 't1', id: 4 },
      ],
    });
    expect(deleted).toBe(2);
    expect(counter.count).toBe(1);
    expect(await db.selectFrom('docs').select('id').orderBy('id').execute()).toEqual([
      { id: '2' },
      { id: '4' },
    ]);
    expect(await deleteRows(db, { table: 'docs', key: { id: 'bigint' }, values: [] })).toBe(0);
  });

  it('reports PostgreSQL errors such as a NULL key', async () => {
    await expect(
      upsertRows(db, {
        table: 'docs',
        key: ['tenant', 'id'],
        columns,
        rows: [{ ...doc(1, 1), tenant: null }],
      }),
    ).rejects.toThrowError(/null value in column "tenant"/);
  });
});
