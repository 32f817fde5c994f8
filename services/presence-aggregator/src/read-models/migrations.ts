import { checkpointMigrations } from '@presence/store';
import { sql, type Kysely, type Migration } from 'kysely';

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
  // The full rules (RULES.md 1-5) fold a different state: the projection starts over from the log
  // (nothing is lost: the log is the source of truth), with the own view, the history of public
  // changes and the workspace each partition folded.
  '2026-11-22T0002-presence-rules': {
    async up(db: Kysely<unknown>) {
      await sql`delete from projection_checkpoints where projection like 'user_presence/%'`.execute(
        db,
      );
      await sql`truncate user_presence`.execute(db);
      await db.schema
        .alterTable('user_presence')
        .addColumn('own', 'jsonb', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('presence_history')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('presence', 'text', (c) => c.notNull())
        .addColumn('display', 'text', (c) => c.notNull())
        .addColumn('online', 'boolean', (c) => c.notNull())
        .addColumn('status_text', 'text')
        .addColumn('last_active', 'timestamptz')
        .addColumn('devices', 'jsonb', (c) => c.notNull())
        .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('presence_history_pkey', ['user_id', 'version'])
        .execute();
      await db.schema
        .createIndex('presence_history_user_changed_at_idx')
        .on('presence_history')
        .columns(['user_id', 'changed_at'])
        .execute();
      await db.schema
        .createTable('partition_state')
        .addColumn('partition', 'integer', (c) => c.primaryKey())
        .addColumn('workspace', 'jsonb', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('partition_state').execute();
      await db.schema.dropTable('presence_history').execute();
      await db.schema.alterTable('user_presence').dropColumn('own').execute();
    },
  },
  // One index less on the hot write path: the history's key serves GetPresenceAt (the last change
  // at or before an instant) on its own.
  '2026-11-22T0003-history-key': {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('presence_history_user_changed_at_idx').execute();
      await db.schema
        .alterTable('presence_history')
        .dropConstraint('presence_history_pkey')
        .execute();
      await db.schema
        .alterTable('presence_history')
        .addPrimaryKeyConstraint('presence_history_pkey', ['user_id', 'changed_at', 'version'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema
        .alterTable('presence_history')
        .dropConstraint('presence_history_pkey')
        .execute();
      await db.schema
        .alterTable('presence_history')
        .addPrimaryKeyConstraint('presence_history_pkey', ['user_id', 'version'])
        .execute();
      await db.schema
        .createIndex('presence_history_user_changed_at_idx')
        .on('presence_history')
        .columns(['user_id', 'changed_at'])
        .execute();
    },
  },
  // Snapshots leave the read model: `user_presence` keeps the views (written when a view changes),
  // the folded states go to `user_snapshots` every N events. Without a snapshot a partition
  // re-folds its log up to its checkpoint once, silently (nothing is republished or rewritten).
  '2026-11-22T0004-snapshots': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('user_presence').dropColumn('state').execute();
      await sql`delete from user_presence where version = 0 and (own->>'version')::bigint = 0`.execute(
        db,
      );
      // `own` repeats nothing: null while the own view is the public one (all but a few users).
      await sql`alter table user_presence alter column own drop not null`.execute(db);
      // The rule of `userRow`: same version, and the same view but for last_active.
      await sql`update user_presence set own = null
        where (own->>'version')::bigint = version
          and own->'view'->>'presence' = presence
          and own->'view'->>'display' = display
          and (own->'view'->'online')::boolean = online
          and own->'view'->>'statusText' is not distinct from status_text
          and own->'view'->'devices' = devices`.execute(db);
      // Loaded from the snapshots now; and room on each page for updates in place (HOT), since a
      // row is rewritten whenever its view changes.
      await db.schema.dropIndex('user_presence_partition_idx').execute();
      await sql`alter table user_presence set (fillfactor = 70)`.execute(db);
      await db.schema.dropTable('partition_state').execute();
      await db.schema
        .createTable('partition_snapshots')
        .addColumn('partition', 'integer', (c) => c.primaryKey())
        .addColumn('position', 'bigint', (c) => c.notNull())
        .addColumn('format', 'integer', (c) => c.notNull())
        .addColumn('workspace', 'jsonb', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('user_snapshots')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('partition', 'integer', (c) => c.notNull())
        .addColumn('record', 'jsonb', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('user_snapshots_partition_idx')
        .on('user_snapshots')
        .column('partition')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      // The old layout kept the state beside each view: it starts over from the log.
      await db.schema.dropTable('user_snapshots').execute();
      await db.schema.dropTable('partition_snapshots').execute();
      await sql`delete from projection_checkpoints where projection like 'user_presence/%'`.execute(
        db,
      );
      await sql`truncate user_presence, presence_history`.execute(db);
      await sql`alter table user_presence reset (fillfactor)`.execute(db);
      await sql`alter table user_presence alter column own set not null`.execute(db);
      await db.schema
        .createIndex('user_presence_partition_idx')
        .on('user_presence')
        .column('partition')
        .execute();
      await db.schema
        .alterTable('user_presence')
        .addColumn('state', 'jsonb', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('partition_state')
        .addColumn('partition', 'integer', (c) => c.primaryKey())
        .addColumn('workspace', 'jsonb', (c) => c.notNull())
        .execute();
    },
  },
};
