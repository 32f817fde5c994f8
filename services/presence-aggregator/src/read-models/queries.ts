import type { Kysely, Selectable } from 'kysely';
import type { PartitionState } from '../domain/apply-facts.js';
import type { Platform } from '../domain/facts.js';
import type { UserRecord } from '../domain/record.js';
import { toSecond } from '../domain/user-state.js';
import type { DeviceStateName, DisplayName, PresenceName, PresenceView } from '../domain/views.js';
import { INITIAL_WORKSPACE } from '../domain/workspace.js';
import type { PresenceDatabase, PresenceHistoryTable, UserPresenceTable } from './tables.js';

/** Everything a partition folded up to its checkpoint: where a restart resumes (the snapshot). */
export async function loadPartition(
  db: Kysely<PresenceDatabase>,
  partition: number,
): Promise<PartitionState> {
  const [rows, state] = await Promise.all([
    db.selectFrom('user_presence').selectAll().where('partition', '=', partition).execute(),
    db
      .selectFrom('partition_state')
      .select('workspace')
      .where('partition', '=', partition)
      .executeTakeFirst(),
  ]);
  return {
    workspace: state?.workspace ?? INITIAL_WORKSPACE,
    users: new Map(rows.map((row) => [row.user_id, recordOf(row)])),
  };
}

/** Back from a row to the record the row was written from. */
export function recordOf(row: Selectable<UserPresenceTable>): UserRecord {
  return {
    state: row.state,
    view: viewOf(row),
    version: Number(row.version),
    changedAt: row.changed_at === null ? null : row.changed_at.toISOString(),
    own: row.own.view,
    ownVersion: row.own.version,
  };
}

function viewOf(
  row: Selectable<UserPresenceTable> | Selectable<PresenceHistoryTable>,
): PresenceView {
  return {
    presence: row.presence as PresenceName,
    display: row.display as DisplayName,
    online: row.online,
    statusText: row.status_text,
    lastActive: row.last_active === null ? null : toSecond(row.last_active.toISOString()),
    devices: row.devices as Partial<Record<Platform, DeviceStateName>>,
  };
}

/** The public view of a user at an instant: the last change at or before it (time travel). */
export async function presenceAt(
  db: Kysely<PresenceDatabase>,
  userId: string,
  at: Date,
): Promise<{ view: PresenceView; version: number } | null> {
  const row = await db
    .selectFrom('presence_history')
    .selectAll()
    .where('user_id', '=', userId)
    .where('changed_at', '<=', at)
    .orderBy('changed_at', 'desc')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { view: viewOf(row), version: Number(row.version) } : null;
}
