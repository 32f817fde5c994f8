import { isUserFact, type Fact, type PartitionFact } from './facts.js';
import { initialRecord, step, type PresenceChange, type UserRecord } from './record.js';
import type { UserState } from './user-state.js';
import { evolveWorkspace, type Workspace } from './workspace.js';

/** What a partition knows: the workspace as of its last fact, and every user seen in it. */
export interface PartitionState {
  readonly workspace: Workspace;
  readonly users: ReadonlyMap<string, UserRecord>;
}

export interface Applied {
  readonly workspace: Workspace;
  /** Users whose record changed, with the new record (the rows to write). */
  readonly updated: Map<string, UserRecord>;
  /** Public changes, in fact order; `published` says whether presence was on (RULES.md 4). */
  readonly changes: PublishedChange[];
  /** Changes of users' own views (invisible, hidden), in fact order. */
  readonly ownChanges: PublishedChange[];
}

export interface PublishedChange extends PresenceChange {
  /** False while the presence service is switched off: the change is recorded, not broadcast. */
  readonly published: boolean;
}

/**
 * Folds a batch of facts (in log order) over a partition. The input is not modified, so a batch
 * whose commit fails leaves the caller's state untouched for the retry. A partition-wide fact
 * (GatewayLost, workspace facts) is applied to every user it concerns.
 */
export function applyFacts(current: PartitionState, facts: readonly Fact[]): Applied {
  let workspace = current.workspace;
  const updated = new Map<string, UserRecord>();
  const changes: PublishedChange[] = [];
  const ownChanges: PublishedChange[] = [];
  const recordOf = (userId: string) =>
    updated.get(userId) ?? current.users.get(userId) ?? initialRecord(userId, workspace);

  const apply = (before: UserRecord, fact: Parameters<typeof step>[1]) => {
    const { record, change, ownChange } = step(before, fact, workspace);
    if (record !== before) updated.set(record.state.userId, record);
    if (change) changes.push({ ...change, published: workspace.settings.presenceEnabled });
    if (ownChange) ownChanges.push({ ...ownChange, published: workspace.settings.presenceEnabled });
  };

  for (const fact of facts) {
    if (fact.type === 'Other') continue;
    if (isUserFact(fact)) {
      apply(recordOf(fact.userId), fact);
      continue;
    }
    if (fact.type !== 'GatewayLost') {
      const next = evolveWorkspace(workspace, fact);
      if (next === workspace) continue;
      const reenabled = next.settings.presenceEnabled && !workspace.settings.presenceEnabled;
      const before = workspace;
      workspace = next;
      if (reenabled) changes.push(...unpublished(current, updated, before, fact.seq));
    }
    for (const userId of usersConcerned(current, updated, fact)) apply(recordOf(userId), fact);
  }
  return { workspace, updated, changes, ownChanges };
}

/**
 * When presence comes back on, every user whose view changed while it was off gets their current
 * view published (RULES.md 4: clients kept the last known states meanwhile).
 */
function unpublished(
  current: PartitionState,
  updated: ReadonlyMap<string, UserRecord>,
  disabled: Workspace,
  reenabledAt: number,
): PublishedChange[] {
  const since = disabled.disabledAt ?? 0;
  const changes: PublishedChange[] = [];
  for (const userId of allUsers(current, updated)) {
    const record = updated.get(userId) ?? current.users.get(userId)!;
    if (record.version > since && record.version < reenabledAt && record.changedAt !== null) {
      changes.push({
        userId,
        view: record.view,
        version: record.version,
        changedAt: record.changedAt,
        published: true,
      });
    }
  }
  return changes;
}

function allUsers(current: PartitionState, updated: ReadonlyMap<string, UserRecord>): string[] {
  return [...new Set([...current.users.keys(), ...updated.keys()])].sort();
}

/** The users of the partition whose state a partition-wide fact can change, in a stable order. */
function usersConcerned(
  current: PartitionState,
  updated: ReadonlyMap<string, UserRecord>,
  fact: PartitionFact,
): string[] {
  return allUsers(current, updated).filter((userId) =>
    concerns((updated.get(userId) ?? current.users.get(userId)!).state, fact),
  );
}

function concerns(state: UserState, fact: PartitionFact): boolean {
  switch (fact.type) {
    case 'GatewayLost':
      return state.devices.some((device) => device.gatewayId === fact.gatewayId);
    case 'CustomStatusDefined':
      return state.customStatusId === fact.status.id;
    case 'CustomStatusDeleted':
      return state.customStatusId === fact.customStatusId;
    case 'WorkspaceSettingsChanged':
      // Only meeting_sets_busy changes what a state looks like; the rest acts on new facts.
      return state.meetings.length > 0;
  }
}
