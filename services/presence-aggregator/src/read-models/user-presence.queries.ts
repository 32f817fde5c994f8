import type { Kysely, Selectable } from 'kysely';
import type { Platform } from '../domain/device-facts.js';
import type { PresenceDatabase, UserPresenceTable } from './user-presence.table.js';
import { toSecond } from '../domain/user-presence.js';
import type { UserRecord } from '../domain/presence-step.js';
import type { DeviceStateName, DisplayName, PresenceName } from '../domain/presence-view.js';

export type UserPresenceRow = Selectable<UserPresenceTable>;

/** Records of the given users that have a row (users never seen are absent from the map). */
export async function loadRecords(
  db: Kysely<PresenceDatabase>,
  userIds: readonly string[],
): Promise<Map<string, UserRecord>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('user_presence')
    .selectAll()
    .where('user_id', 'in', userIds)
    .execute();
  return new Map(rows.map((row) => [row.user_id, fromRow(row)]));
}

/** Back from a row to the record the row was written from. */
export function fromRow(row: UserPresenceRow): UserRecord {
  return {
    state: row.state,
    view: {
      presence: row.presence as PresenceName,
      display: row.display as DisplayName,
      online: row.online,
      statusText: row.status_text,
      lastActive: row.last_active === null ? null : toSecond(row.last_active.toISOString()),
      devices: row.devices as Partial<Record<Platform, DeviceStateName>>,
    },
    version: Number(row.version),
    changedAt: row.changed_at === null ? null : row.changed_at.toISOString(),
  };
}
