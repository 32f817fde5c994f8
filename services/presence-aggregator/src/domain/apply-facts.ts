import type { DeviceFact } from './device-facts.js';
import { initialRecord, step, type PresenceChange, type UserRecord } from './presence-step.js';

export interface Applied {
  /** Users whose record changed, with the new record (the rows to write). */
  readonly updated: Map<string, UserRecord>;
  /** Public changes to publish, in fact order. */
  readonly changes: PresenceChange[];
}

/**
 * Folds a batch of facts (in log order) over the current records of their users. `current` holds
 * what is known; a user missing from it has never been seen. The input map is not modified, so a
 * batch whose commit fails leaves the caller's state untouched for the retry.
 */
export function applyFacts(
  current: ReadonlyMap<string, UserRecord>,
  facts: readonly DeviceFact[],
): Applied {
  const updated = new Map<string, UserRecord>();
  const changes: PresenceChange[] = [];
  for (const fact of facts) {
    const before =
      updated.get(fact.userId) ?? current.get(fact.userId) ?? initialRecord(fact.userId);
    const { record, change } = step(before, fact);
    if (record !== before) updated.set(fact.userId, record);
    if (change) changes.push(change);
  }
  return { updated, changes };
}
