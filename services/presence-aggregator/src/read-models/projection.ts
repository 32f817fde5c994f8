import {
  insertJsonRows,
  upsertJsonRows,
  upsertRows,
  type DatabaseOrTransaction,
} from '@presence/store';
import type { PresenceChange, UserRecord } from '../domain/record.js';
import { sameView } from '../domain/views.js';
import type { Workspace } from '../domain/workspace.js';
import { SNAPSHOT_FORMAT, tableIn, type PresenceDatabase, type TableSet } from './tables.js';

const USER_COLUMNS = [
  'user_id',
  'partition',
  'presence',
  'display',
  'online',
  'status_text',
  'last_active',
  'devices',
  'version',
  'changed_at',
  'own',
];

const HISTORY_COLUMNS = [
  'user_id',
  'version',
  'presence',
  'display',
  'online',
  'status_text',
  'last_active',
  'devices',
  'changed_at',
];

/** What one batch of a partition changed: written with its checkpoint in one transaction. */
export interface PartitionWrite {
  readonly partition: number;
  /** Records whose views moved (see `viewsMoved`). */
  readonly records: Iterable<UserRecord>;
  readonly changes: readonly PresenceChange[];
}

/** A partition's records as of `position`: those touched since its previous snapshot. */
export interface PartitionSnapshot {
  readonly partition: number;
  readonly position: bigint;
  readonly workspace: Workspace;
  readonly records: Iterable<UserRecord>;
}

function userRow(record: UserRecord, partition: number): Record<string, unknown> {
  const { view } = record;
  return {
    user_id: record.state.userId,
    partition,
    presence: view.presence,
    display: view.display,
    online: view.online,
    status_text: view.statusText,
    last_active: view.lastActive,
    devices: view.devices,
    version: record.version,
    changed_at: record.changedAt,
    // Invisible and hidden users only: for everyone else it would repeat the columns above.
    own:
      record.ownVersion === record.version && sameView(record.own, view)
        ? null
        : { view: record.own, version: record.ownVersion },
  };
}

function historyRow(change: PresenceChange): Record<string, unknown> {
  const { view } = change;
  return {
    user_id: change.userId,
    version: change.version,
    presence: view.presence,
    display: view.display,
    online: view.online,
    status_text: view.statusText,
    last_active: view.lastActive,
    devices: view.devices,
    changed_at: change.changedAt,
  };
}

/** Writes one batch's rows into the live tables or the ones a rebuild fills. */
export async function writePartition(
  db: DatabaseOrTransaction<PresenceDatabase>,
  write: PartitionWrite,
  set: TableSet = 'live',
): Promise<void> {
  // Rows with jsonb columns: the batch travels as one JSON document (see upsertJsonRows).
  await upsertJsonRows(db, {
    table: tableIn(set, 'user_presence'),
    key: ['user_id'],
    columns: USER_COLUMNS,
    rows: [...write.records].map((record) => userRow(record, write.partition)),
  });
  await upsertJsonRows(db, {
    table: tableIn(set, 'presence_history'),
    key: HISTORY_KEY,
    columns: HISTORY_COLUMNS,
    rows: write.changes.map(historyRow),
  });
}

/** The key of `presence_history`: a user's changes in time order (GetPresenceAt reads it). */
export const HISTORY_KEY = ['user_id', 'changed_at', 'version'];

/**
 * Appends history rows to the table a rebuild fills, before its key exists (each change is in the
 * log once, so there is nothing to conflict with).
 */
export async function appendHistory(
  db: DatabaseOrTransaction<PresenceDatabase>,
  changes: readonly PresenceChange[],
): Promise<void> {
  await insertJsonRows(db, {
    table: tableIn('next', 'presence_history'),
    columns: HISTORY_COLUMNS,
    rows: changes.map(historyRow),
  });
}

/** Writes a snapshot; call it in the transaction that commits the checkpoint it is as of. */
export async function writeSnapshot(
  db: DatabaseOrTransaction<PresenceDatabase>,
  snapshot: PartitionSnapshot,
): Promise<void> {
  const { partition } = snapshot;
  const rows = [...snapshot.records].map((record) => ({
    user_id: record.state.userId,
    partition,
    record,
  }));
  // In slices: a partition's snapshot can hold every one of its users.
  for (let i = 0; i < rows.length; i += 5000) {
    await upsertJsonRows(db, {
      table: 'user_snapshots',
      key: ['user_id'],
      columns: ['user_id', 'partition', 'record'],
      rows: rows.slice(i, i + 5000),
    });
  }
  await upsertRows(db, {
    table: 'partition_snapshots',
    key: ['partition'],
    columns: { partition: 'integer', position: 'bigint', format: 'integer', workspace: 'jsonb' },
    rows: [
      {
        partition,
        position: snapshot.position,
        format: SNAPSHOT_FORMAT,
        workspace: snapshot.workspace,
      },
    ],
  });
}
