import { upsertRows, type PgColumns } from '@presence/store';
import type { Kysely } from 'kysely';
import type { UserRecord } from '../domain/presence-step.js';
import type { PresenceDatabase } from './user-presence.table.js';

const COLUMNS: PgColumns = {
  user_id: 'text',
  partition: 'integer',
  presence: 'text',
  display: 'text',
  online: 'boolean',
  status_text: 'text',
  last_active: 'timestamptz',
  devices: 'jsonb',
  version: 'bigint',
  changed_at: 'timestamptz',
  state: 'jsonb',
};

/** The row of one user's record. */
export function toRow(record: UserRecord, partition: number): Record<string, unknown> {
  return {
    user_id: record.state.userId,
    partition,
    presence: record.view.presence,
    display: record.view.display,
    online: record.view.online,
    status_text: record.view.statusText,
    last_active: record.view.lastActive,
    devices: JSON.stringify(record.view.devices),
    version: String(record.version),
    changed_at: record.changedAt,
    state: JSON.stringify(record.state),
  };
}

/** Writes the records of one batch with one statement (into `table`, the live or the rebuilt one). */
export async function writeRecords(
  db: Kysely<PresenceDatabase>,
  records: Iterable<{ readonly record: UserRecord; readonly partition: number }>,
  table: 'user_presence' | 'user_presence_next' = 'user_presence',
): Promise<number> {
  const rows = [...records].map(({ record, partition }) => toRow(record, partition));
  return upsertRows(db, { table, key: ['user_id'], columns: COLUMNS, rows });
}
