import { createTestDatabase } from '@presence/testing';
import { type Kysely, sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CheckpointConflictError,
  checkpointMigrations,
  createDatabase,
  createProjectionWriter,
  isCheckpointConflictError,
  migrateToLatest,
  readCheckpoint,
  upsertRows,
} from './index.js';

const schema = 'store_writer';

interface ItemsDB {
  items: { id: string; seq: string };
}
interface ItemEvent {
  readonly seq: bigint;
  readonly id: string;
}

/** A promise opened from outside (Promise.withResolvers needs Node 22). */
function latch(): { open: () => void; opened: Promise<void> } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const events = (...seqs: bigint[]): ItemEvent[] => seqs.map((seq) => ({ seq, id: `item-${seq}` }));

/** The projection under test: one row per event. */
const writeItems = async (trx: Transaction<ItemsDB>, fresh: readonly ItemEvent[]) => {
  await upsertRows(trx, {
    table: 'items',
    key: ['id'],
    columns: { id: 'text', seq: 'bigint' },
    rows: fresh.map(({ id, seq }) => ({ id, seq })),
  });
};

describe('projection writer', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Kysely<ItemsDB>;
  let projection: string;
  let counter = 0;

  const itemIds = async () =>
    (await db.selectFrom('items').select('id').orderBy('id').execute()).map((row) => row.id);

  beforeAll(async () => {
    database = await createTestDatabase('store');
    db = createDatabase<ItemsDB>({ url: database.url, schema, poolSize: 4 });
    await migrateToLatest(db, {
      schema,
      migrations: {
        ...checkpointMigrations,
        '2026-11-22T0001-items': {
          async up(db: Kysely<unknown>) {
            await db.schema
              .createTable('items')
              .addColumn('id', 'text', (column) => column.primaryKey())
              .addColumn('seq', 'bigint', (column) => column.notNull())
              .execute();
          },
        },
      },
    });
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });
  beforeEach(async () => {
    await db.deleteFrom('items').execute();
    projection = `items-${++counter}`;
  });

  it('starts at 0 and refuses to work before load()', async () => {
    const writer = createProjectionWriter(db, { projection });
    expect(() => writer.position).toThrowError('call load() first');
    await expect(writer.commit(events(1n), writeItems)).rejects.toThrowError('call load() first');
    expect(await writer.load()).toBe(0n);
    expect(writer.position).toBe(0n);
  });

  it('applies a batch once: a redelivered batch is skipped entirely', async () => {
    const writer = createProjectionWriter(db, { projection });
    await writer.load();
    expect(await writer.commit(events(1n, 2n, 3n), writeItems)).toEqual({ applied: 3, skipped: 0 });
    let calls = 0;
    const counting = async (trx: Transaction<ItemsDB>, fresh: readonly ItemEvent[]) => {
      calls += 1;
      await writeItems(trx, fresh);
    };
    expect(await writer.commit(events(1n, 2n, 3n), counting)).toEqual({ applied: 0, skipped: 3 });
    expect(calls).toBe(0);
    expect(await writer.commit(events(2n, 3n, 4n), writeItems)).toEqual({ applied: 1, skipped: 2 });
    expect(writer.position).toBe(4n);
    expect(await readCheckpoint(db, projection)).toBe(4n);
    expect(await itemIds()).toEqual(['item-1', 'item-2', 'item-3', 'item-4']);
    // A restarted process resumes from the stored checkpoint.
    expect(await createProjectionWriter(db, { projection }).load()).toBe(4n);
  });

  it('writes rows and checkpoint in one transaction: a failing write changes neither', async () => {
    const writer = createProjectionWriter(db, { projection });
    await writer.load();
    await writer.commit(events(1n), writeItems);
    const failing = async (trx: Transaction<ItemsDB>, fresh: readonly ItemEvent[]) => {
      await writeItems(trx, fresh.slice(0, 1));
      throw new Error('projection bug halfway through');
    };
    await expect(writer.commit(events(2n, 3n), failing)).rejects.toThrowError(
      'projection bug halfway through',
    );
    expect(await itemIds()).toEqual(['item-1']);
    expect(await readCheckpoint(db, projection)).toBe(1n);
    expect(writer.position).toBe(1n);
    // The redelivered batch then goes through.
    expect(await writer.commit(events(2n, 3n), writeItems)).toEqual({ applied: 2, skipped: 0 });
    expect(await itemIds()).toEqual(['item-1', 'item-2', 'item-3']);
  });

  it('detects another writer that moved the checkpoint and writes nothing', async () => {
    const first = createProjectionWriter(db, { projection });
    const second = createProjectionWriter(db, { projection });
    await first.load();
    await second.load();
    await first.commit(events(1n, 2n), writeItems);

    let called = false;
    const error: unknown = await second
      .commit(events(1n, 2n, 3n), async () => {
        called = true;
      })
      .catch((caught: unknown) => caught);
    expect(isCheckpointConflictError(error)).toBe(true);
    expect(error).toMatchObject({ projection, expected: 0n, actual: 2n });
    expect(called).toBe(false);
    expect(second.position).toBe(0n);
    expect(await readCheckpoint(db, projection)).toBe(2n);

    expect(await second.load()).toBe(2n);
    expect(await second.commit(events(1n, 2n, 3n), writeItems)).toEqual({ applied: 1, skipped: 2 });
  });

  it('serializes concurrent writers on the checkpoint row: the later one conflicts', async () => {
    const first = createProjectionWriter(db, { projection });
    const second = createProjectionWriter(db, { projection });
    await first.load();
    await second.load();
    const inside = latch();
    const release = latch();

    const slow = first.commit(events(1n), async (trx, fresh) => {
      inside.open();
      await release.opened;
      await writeItems(trx, fresh);
    });
    await inside.opened;
    const racing = second.commit(events(1n), writeItems);
    // Give the second transaction time to queue on the row lock before the first commits.
    await sql`select pg_sleep(0.1)`.execute(db);
    release.open();

    await expect(slow).resolves.toEqual({ applied: 1, skipped: 0 });
    await expect(racing).rejects.toBeInstanceOf(CheckpointConflictError);
    expect(await itemIds()).toEqual(['item-1']);
  });

  it('refuses a batch out of order before touching the database', async () => {
    const writer = createProjectionWriter(db, { projection });
    await writer.load();
    await expect(writer.commit(events(1n, 3n, 2n), writeItems)).rejects.toThrowError(
      'seq 2 at index 2 follows seq 3',
    );
    expect(await itemIds()).toEqual([]);
  });
});
