import { checkpointMigrations } from '@presence/store';
import type { Kysely, Migration } from 'kysely';

/** The aggregator's schema (`presence`), oldest first; names sort in order of application. */
export const migrations: Readonly<Record<string, Migration>> = {
  ...checkpointMigrations,
  '2026-11-22T0001-user-presence': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('user_presence')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('partition', 'integer', (c) => c.notNull())
        .addColumn('presence', 'text', (c) => c.notNull())
        .addColumn('display', 'text', (c) => c.notNull())
        .addColumn('online', 'boolean', (c) => c.notNull())
        .addColumn('status_text', 'text')
        .addColumn('last_active', 'timestamptz')
        .addColumn('devices', 'jsonb', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('changed_at', 'timestamptz')
        .addColumn('state', 'jsonb', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('user_presence_partition_idx')
        .on('user_presence')
        .column('partition')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('user_presence').execute();
    },
  },
};
