import type { ColumnType } from 'kysely';
import type { CheckpointTables } from '@presence/store';
import type { UserRecord } from '../domain/record.js';
import type { PresenceView } from '../domain/views.js';
import type { Workspace } from '../domain/workspace.js';

/**
 * The aggregator's tables (schema `presence`). The read models (`user_presence`,
 * `presence_history`) take every value from events (no `now()`), so a replay of the log produces
 * byte-identical rows. One checkpoint per partition, `user_presence/p<partition>`, covers them: a
 * batch writes both in one transaction. The snapshots are not read models: they depend on where
 * batches ended, and only spare a restart most of the replay.
 */

type Timestamp = ColumnType<Date | null, string | null, string | null>;
type Int8 = ColumnType<string, string, string>;

/**
 * One row per user whose view ever changed: the view others see (queryable columns) and the own
 * view, each with its version. Written only when one of them changes.
 */
export interface UserPresenceTable {
  user_id: string;
  partition: number;
  presence: string;
  display: string;
  online: boolean;
  status_text: string | null;
  last_active: Timestamp;
  /** Best state per platform, e.g. {"desktop":"online"}. */
  devices: ColumnType<Record<string, string>, string, string>;
  /** The presence version: DEVICE_EVENTS sequence of the fact that produced this view. */
  version: Int8;
  changed_at: Timestamp;
  /** The view the user's own devices see, with its version; null while it is the public one. */
  own: ColumnType<OwnColumn | null, string | null, string | null>;
}

export interface OwnColumn {
  readonly view: PresenceView;
  readonly version: number;
}

/** Every change of the public view ("last seen", GetPresenceAt). */
export interface PresenceHistoryTable {
  user_id: string;
  version: Int8;
  presence: string;
  display: string;
  online: boolean;
  status_text: string | null;
  last_active: Timestamp;
  devices: ColumnType<Record<string, string>, string, string>;
  changed_at: ColumnType<Date, string, string>;
}

/** Where a partition's snapshot stands: its position and the workspace folded up to it. */
export interface PartitionSnapshotTable {
  partition: number;
  position: Int8;
  /** The shape of the records (`SNAPSHOT_FORMAT`): another one is ignored and the log re-folded. */
  format: number;
  workspace: ColumnType<Workspace, string, string>;
}

/**
 * A user's record as of their partition's snapshot position. Rows are written for the users a
 * partition touched since its previous snapshot, so all rows of a partition are as of its position.
 */
export interface UserSnapshotTable {
  user_id: string;
  partition: number;
  record: ColumnType<UserRecord, string, string>;
}

export const USER_PRESENCE = 'user_presence';

/** Bumped whenever the folded state changes shape: older snapshots are then ignored, not misread. */
export const SNAPSHOT_FORMAT = 1;

/** The projection tables a rebuild writes beside the live ones, then swaps in. */
export const PROJECTION_TABLES = ['user_presence', 'presence_history'] as const;
export type ProjectionTable = (typeof PROJECTION_TABLES)[number];
export const nextTable = (table: ProjectionTable) => `${table}_next` as const;
export type TableSet = 'live' | 'next';
export const tableIn = (set: TableSet, table: ProjectionTable) =>
  set === 'live' ? table : nextTable(table);

/** The checkpoint of one partition's projection: `user_presence/p<partition>`. */
export const userPresenceProjection = (partition: number) => `${USER_PRESENCE}/p${partition}`;

export interface PresenceDatabase extends CheckpointTables {
  user_presence: UserPresenceTable;
  user_presence_next: UserPresenceTable;
  presence_history: PresenceHistoryTable;
  presence_history_next: PresenceHistoryTable;
  partition_snapshots: PartitionSnapshotTable;
  user_snapshots: UserSnapshotTable;
}
