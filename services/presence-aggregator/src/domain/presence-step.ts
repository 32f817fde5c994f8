import type { DeviceFact } from './device-facts.js';
import { sameView, viewOf, type PresenceView } from './presence-view.js';
import { evolve, initialUserPresence, type UserPresence } from './user-presence.js';

/** A user's folded state with the public view and version last published for it. */
export interface UserRecord {
  readonly state: UserPresence;
  readonly view: PresenceView;
  /** DEVICE_EVENTS sequence of the fact that produced `view`; 0 = never changed. */
  readonly version: number;
  /** Time of that fact. */
  readonly changedAt: string | null;
}

export interface PresenceChange {
  readonly userId: string;
  readonly view: PresenceView;
  readonly version: number;
  readonly changedAt: string;
}

export function initialRecord(userId: string): UserRecord {
  const state = initialUserPresence(userId);
  return { state, view: viewOf(state), version: 0, changedAt: null };
}

/**
 * Applies one fact to a user's record. When the view others see changed, the fact's sequence
 * becomes the new version and the change is returned for publishing; otherwise nothing is
 * published, so repeated facts never produce duplicate or flapping changes.
 */
export function step(
  record: UserRecord,
  fact: DeviceFact,
): { record: UserRecord; change: PresenceChange | null } {
  const state = evolve(record.state, fact);
  if (state === record.state) return { record, change: null };
  const view = viewOf(state);
  if (sameView(view, record.view)) return { record: { ...record, state }, change: null };
  const next: UserRecord = { state, view, version: fact.seq, changedAt: fact.at };
  return {
    record: next,
    change: { userId: state.userId, view, version: fact.seq, changedAt: fact.at },
  };
}
