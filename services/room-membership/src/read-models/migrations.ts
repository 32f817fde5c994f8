import { checkpointMigrations } from '@presence/store';
import type { Kysely, Migration } from 'kysely';

/** The `rooms` schema, oldest first; names sort in order of application. */
export const migrations: Readonly<Record<string, Migration>> = {
  ...checkpointMigrations,
  '2026-12-03T0001-rooms': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rooms')
        .addColumn('room_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('invite_policy', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('room_members')
        .addColumn('room_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('member_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('open', 'boolean', (c) => c.notNull())
        .addColumn('hidden', 'boolean', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('unread', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('room_members_pkey', ['room_id', 'kind', 'member_id'])
        .execute();
      // ListRooms: a user's rooms.
      await db.schema
        .createIndex('room_members_member_idx')
        .on('room_members')
        .columns(['member_id', 'kind'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('room_members').execute();
      await db.schema.dropTable('rooms').execute();
    },
  },
};
