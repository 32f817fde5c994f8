import type { PartitionFact, UserFact } from './facts.js';
import { deviceOf, evolveUser, initialUserState, type UserState } from './user-state.js';
import { publicView, sameView, viewsOf, type PresenceView } from './views.js';
import type { Workspace } from './workspace.js';

/** A user's folded state with the views and version last produced for it. */
export interface UserRecord {
  readonly state: UserState;
  /** The view others see. */
  readonly view: PresenceView;
  /** DEVICE_EVENTS sequence of the fact that produced `view`; 0 = never changed. */
  readonly version: number;
  /** Time of that fact. */
  readonly changedAt: string | null;
  /** The view the user's own devices see, and the sequence of the fact that produced it. */
  readonly own: PresenceView;
  readonly ownVersion: number;
}

export interface PresenceChange {
  readonly userId: string;
  readonly view: PresenceView;
  readonly version: number;
  readonly changedAt: string;
}

/** What one fact did to a user: the record, and the changes to publish, if any. */
export interface Stepped {
  readonly record: UserRecord;
  /** The view others see changed. */
  readonly change: PresenceChange | null;
  /**
   * The user's own view changed while it differs from the public one (invisible, hidden), or it
   * stopped differing; otherwise own devices follow the public change.
   */
  readonly ownChange: PresenceChange | null;
}

export function initialRecord(userId: string, workspace: Workspace): UserRecord {
  const state = initialUserState(userId);
  const view = publicView(state, workspace);
  return { state, view, version: 0, changedAt: null, own: view, ownVersion: 0 };
}

/**
 * Applies one fact to a user's record. When the view others see changed, the fact's sequence
 * becomes the new version and the change is returned for publishing; otherwise nothing is
 * published, so repeated facts never produce duplicate or flapping changes.
 */
export function step(
  record: UserRecord,
  fact: UserFact | PartitionFact,
  workspace: Workspace,
): Stepped {
  const state = evolveUser(record.state, fact, workspace);
  // A user's own fact that changed nothing changes no view; a workspace fact (a setting, a custom
  // status) can change what the same state looks like, so views are recomputed for it.
  if (state === record.state && 'userId' in fact) return { record, change: null, ownChange: null };
  // The most frequent fact: activity on a device that was not idle only moves `last_active`, which
  // no view compares, so the views cannot change (they are not even computed).
  if (fact.type === 'DeviceActivity' && deviceOf(record.state, fact.deviceId)?.idle === false) {
    return { record: { ...record, state }, change: null, ownChange: null };
  }
  const { view, own } = viewsOf(state, workspace);
  const publicChanged = !sameView(view, record.view);
  const ownChanged =
    !sameView(own, record.own) && (!sameView(own, view) || !sameView(record.own, record.view));
  if (!publicChanged && !ownChanged) {
    return {
      record: state === record.state ? record : { ...record, state },
      change: null,
      ownChange: null,
    };
  }
  const change = { userId: state.userId, version: fact.seq, changedAt: fact.at };
  return {
    record: {
      state,
      view: publicChanged ? view : record.view,
      version: publicChanged ? fact.seq : record.version,
      changedAt: publicChanged ? fact.at : record.changedAt,
      own: ownChanged || publicChanged ? own : record.own,
      ownVersion: ownChanged || publicChanged ? fact.seq : record.ownVersion,
    },
    change: publicChanged ? { ...change, view } : null,
    ownChange: ownChanged ? { ...change, view: own } : null,
  };
}

/**
 * Whether a record's views moved since `before` (undefined: the user was unknown): the views are
 * the read model, so only then is the user's row written. Versions say it: a view changes only with
 * its version.
 */
export function viewsMoved(before: UserRecord | undefined, after: UserRecord): boolean {
  return after.version !== (before?.version ?? 0) || after.ownVersion !== (before?.ownVersion ?? 0);
}

/** Whether a user has a row in the read model: one of their views changed at least once. */
export const hasViews = (record: UserRecord): boolean => viewsMoved(undefined, record);
