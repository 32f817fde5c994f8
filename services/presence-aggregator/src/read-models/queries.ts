import type { Kysely, Selectable } from 'kysely';
import type { PartitionState } from '../domain/apply-facts.js';
import type { Platform } from '../domain/facts.js';
import { toSecond } from '../domain/user-state.js';
import type { DeviceStateName, DisplayName, PresenceName, PresenceView } from '../domain/views.js';
import { INITIAL_WORKSPACE } from '../domain/workspace.js';
import { SNAPSHOT_FORMAT, type PresenceDatabase, type PresenceHistoryTable } from './tables.js';

/**
 * A partition's latest snapshot: where a restart resumes folding. None, or one of an older format:
 * position 0 and nobody (the log is folded from the start).
 */
export interface LoadedSnapshot extends PartitionState {
  readonly position: bigint;
}

export async function loadSnapshot(
  db: Kysely<PresenceDatabase>,
  partition: number,
): Promise<LoadedSnapshot> {
  // Repeatable read: a snapshot committed meanwhile cannot mix with this one's rows.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const head = await trx
        .selectFrom('partition_snapshots')
        .select(['position', 'workspace'])
        .where('partition', '=', partition)
        .where('format', '=', SNAPSHOT_FORMAT)
        .executeTakeFirst();
      if (!head) return { position: 0n, workspace: INITIAL_WORKSPACE, users: new Map() };
      const rows = await trx
        .selectFrom('user_snapshots')
        .select(['user_id', 'record'])
        .where('partition', '=', partition)
        .execute();
      return {
        position: BigInt(head.position),
        workspace: head.workspace,
        users: new Map(rows.map((row) => [row.user_id, row.record])),
      };
    });
}

function viewOf(row: Selectable<PresenceHistoryTable>): PresenceView {
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
