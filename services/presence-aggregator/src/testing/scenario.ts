import { applyFacts, type PublishedChange } from '../domain/apply-facts.js';
import type { Fact, Platform, UserFact } from '../domain/facts.js';
import { initialRecord, type UserRecord } from '../domain/record.js';
import { INITIAL_WORKSPACE, type Workspace, type WorkspaceSettings } from '../domain/workspace.js';

/**
 * Given/when/then for the presence rules: facts about `bob` (and others) at seconds after
 * 10:00:00, folded through the same `applyFacts` as the live partitions.
 */
export const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
export const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

type Distribute<T> = T extends unknown ? Omit<T, 'seq' | 'at' | 'userId'> : never;
export type FactBody = Distribute<UserFact> & { userId?: string };
export type PartitionFactBody = Distribute<Exclude<Fact, UserFact>>;

export interface Timed<T> {
  readonly seconds: number;
  readonly body: T;
}

/** A fact at a given second. */
export const after = <T>(seconds: number, body: T): Timed<T> => ({ seconds, body });

export interface Scenario {
  /** Applies facts (a plain body happens at the second equal to its sequence). */
  apply(...items: (FactBody | PartitionFactBody | Timed<FactBody | PartitionFactBody>)[]): Scenario;
  record(userId?: string): UserRecord;
  view(userId?: string): UserRecord['view'];
  own(userId?: string): UserRecord['own'];
  state(): { workspace: Workspace; users: Map<string, UserRecord> };
  changes(userId?: string): PublishedChange[];
  ownChanges(userId?: string): PublishedChange[];
  log(): Fact[];
  lastSeq(): number;
}

export function scenario(workspace: Workspace = INITIAL_WORKSPACE): Scenario {
  let seq = 0;
  let state = { workspace, users: new Map<string, UserRecord>() };
  const changes: PublishedChange[] = [];
  const ownChanges: PublishedChange[] = [];
  const log: Fact[] = [];

  function apply(
    ...items: (FactBody | PartitionFactBody | Timed<FactBody | PartitionFactBody>)[]
  ): Scenario {
    const facts = items.map((item): Fact => {
      seq += 1;
      const timed = 'body' in item ? item : { seconds: seq, body: item };
      const base = { seq, at: at(timed.seconds) };
      const body = timed.body;
      if ('userId' in body || isUserBody(body)) {
        return { userId: 'bob', ...base, ...body } as Fact;
      }
      return { ...base, ...body } as Fact;
    });
    log.push(...facts);
    const applied = applyFacts(state, facts);
    const users = new Map(state.users);
    for (const [user, record] of applied.updated) users.set(user, record);
    state = { workspace: applied.workspace, users };
    changes.push(...applied.changes);
    ownChanges.push(...applied.ownChanges);
    return api;
  }

  const api: Scenario = {
    apply,
    record: (userId = 'bob') => state.users.get(userId) ?? initialRecord(userId, state.workspace),
    view: (userId = 'bob') => api.record(userId).view,
    own: (userId = 'bob') => api.record(userId).own,
    state: () => state,
    changes: (userId = 'bob') => changes.filter((change) => change.userId === userId),
    ownChanges: (userId = 'bob') => ownChanges.filter((change) => change.userId === userId),
    log: () => [...log],
    lastSeq: () => seq,
  };
  return api;
}

const USER_TYPES = new Set<string>([
  'DeviceConnected',
  'DeviceDisconnected',
  'DeviceActivity',
  'DeviceSystemEvent',
  'DeviceIdleTimedOut',
  'DeviceGraceExpired',
  'ManualStatusSet',
  'StatusTextSet',
  'StatusTextExpired',
  'CustomStatusSelected',
  'PreferencesSet',
  'CalendarBusySet',
  'CalendarBoundaryReached',
  'MeetingPresenceSet',
]);

function isUserBody(body: { type: string }): boolean {
  return USER_TYPES.has(body.type);
}

export const connect = (
  deviceId: string,
  platform: Platform = 'desktop',
  options: { session?: string; gateway?: string } = {},
): FactBody => ({
  type: 'DeviceConnected',
  deviceId,
  sessionId: options.session ?? `${deviceId}-s1`,
  platform,
  gatewayId: options.gateway ?? 'gw-1',
});

export const goodbye = (deviceId: string, session = `${deviceId}-s1`): FactBody => ({
  type: 'DeviceDisconnected',
  deviceId,
  sessionId: session,
  reason: 'goodbye',
});

export const dropped = (deviceId: string, session = `${deviceId}-s1`): FactBody => ({
  type: 'DeviceDisconnected',
  deviceId,
  sessionId: session,
  reason: 'abnormal',
});

export const drained = (deviceId: string, session = `${deviceId}-s1`): FactBody => ({
  type: 'DeviceDisconnected',
  deviceId,
  sessionId: session,
  reason: 'gateway_drain',
});

export const activity = (deviceId: string, session = `${deviceId}-s1`): FactBody => ({
  type: 'DeviceActivity',
  deviceId,
  sessionId: session,
});

export const system = (
  deviceId: string,
  state: 'locked' | 'unlocked' | 'sleep' | 'wake' | 'background' | 'foreground',
  session = `${deviceId}-s1`,
): FactBody => ({ type: 'DeviceSystemEvent', deviceId, sessionId: session, state });

export const idleTimedOut = (
  deviceId: string,
  activitySeq: number,
  session = `${deviceId}-s1`,
): FactBody => ({ type: 'DeviceIdleTimedOut', deviceId, sessionId: session, activitySeq });

export const graceExpired = (
  deviceId: string,
  disconnectedSeq: number,
  session = `${deviceId}-s1`,
): FactBody => ({ type: 'DeviceGraceExpired', deviceId, sessionId: session, disconnectedSeq });

export const manual = (
  presence: 'online' | 'away' | 'busy' | 'invisible',
  text: string | null = null,
): FactBody => ({ type: 'ManualStatusSet', presence, text });

export const statusText = (text: string, clearAfterS = 0): FactBody => ({
  type: 'StatusTextSet',
  text,
  clearAfterS,
});

export const settingsChanged = (
  revision: number,
  settings: Partial<WorkspaceSettings>,
  base: WorkspaceSettings = INITIAL_WORKSPACE.settings,
  switchedBy: 'admin' | 'cap' | null = null,
): PartitionFactBody => ({
  type: 'WorkspaceSettingsChanged',
  settings: { ...base, ...settings },
  switchedBy,
  revision,
});
