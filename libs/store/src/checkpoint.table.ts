import type { ColumnType, Kysely, Migration } from 'kysely';

/**
 * One row per projection: the last stream sequence whose effects are in the read model. Kept
 * minimal on purpose (no `updated_at default now()`): a replay must produce byte-identical rows.
 */
export type CheckpointTable = {
  projection: string;
  /** int8: pg reads it as a string (no global type parser), written as a JS bigint. */
  position: ColumnType<string, bigint, bigint>;
};

/** The checkpoint table as a Kysely table map, to include in a service's database type. */
export type CheckpointTables = {
  projection_checkpoints: CheckpointTable;
};

/**
 * The store's own migration for `projection_checkpoints`. Spread it into a service's migrations
 * (`{ ...checkpointMigrations, '2026-11-22T0001-user-presence': ... }`); its name sorts before the
 * service's own, so it runs first.
 */
export const checkpointMigrations: Readonly<Record<string, Migration>> = {
  '2026-11-22T0000-store-projection-checkpoints': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('projection_checkpoints')
        .addColumn('projection', 'text', (column) => column.primaryKey())
        .addColumn('position', 'bigint', (column) => column.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('projection_checkpoints').execute();
    },
  },
};
