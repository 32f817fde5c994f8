import type { ColumnType } from 'kysely';
import type { CheckpointTables } from '@presence/store';
import type { UserPresence } from '../domain/user-presence.js';

/**
 * `user_presence`: one row per user with the view others see (queryable columns) and the folded
 * internal state (`state`) the aggregator resumes from. Every value comes from events (no `now()`),
 * so a replay of the log produces byte-identical rows.
 */
export interface UserPresenceTable {
  user_id: string;
  partition: number;
  presence: string;
  display: string;
  online: boolean;
  status_text: string | null;
  last_active: ColumnType<Date | null, string | null, string | null>;
  /** Best state per platform, e.g. {"desktop":"online"}. */
  devices: ColumnType<Record<string, string>, string, string>;
  /** The presence version: DEVICE_EVENTS sequence of the fact that produced this view (int8). */
  version: ColumnType<string, string, string>;
  changed_at: ColumnType<Date | null, string | null, string | null>;
  state: ColumnType<UserPresence, string, string>;
}

export const USER_PRESENCE = 'user_presence';
/** Where a rebuild writes before it is swapped in. */
export const USER_PRESENCE_NEXT = 'user_presence_next';

/** The checkpoint of one partition's projection: `user_presence/p<partition>`. */
export const userPresenceProjection = (partition: number) => `${USER_PRESENCE}/p${partition}`;

export interface PresenceDatabase extends CheckpointTables {
  user_presence: UserPresenceTable;
  user_presence_next: UserPresenceTable;
}
