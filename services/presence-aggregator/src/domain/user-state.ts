import { assertNever } from '@presence/domain';
import type {
  ChosenPresence,
  DeviceConnected,
  PartitionFact,
  Platform,
  ShareAvailability,
  SystemState,
  UserFact,
} from './facts.js';
import type { Workspace } from './workspace.js';

/** One device session, connected or within its reconnect grace (RULES.md 1). */
export interface DeviceSession {
  readonly deviceId: string;
  readonly sessionId: string;
  readonly platform: Platform;
  readonly gatewayId: string;
  /** The last fact that made the device active (connect, activity, unlock, wake, foreground). */
  readonly activitySeq: number;
  readonly activityAt: string;
  /** The idle timer fired since that activity. */
  readonly idle: boolean;
  /** Desktop screen locked. */
  readonly locked: boolean;
  /** Desktop system asleep. */
  readonly asleep: boolean;
  /** Mobile app in the background. */
  readonly background: boolean;
  /** The connection ended without a goodbye; the device lingers until the grace ends. */
  readonly closed: { readonly seq: number; readonly at: string; readonly draining: boolean } | null;
}

export type ManualPresence = 'away' | 'busy' | 'invisible';

export interface StatusText {
  readonly text: string;
  readonly setSeq: number;
  readonly setAt: string;
  /** Seconds after `setAt` when the text clears itself; 0 = never. */
  readonly clearAfterS: number;
}

export interface CalendarBusy {
  readonly start: string;
  readonly end: string;
  readonly started: boolean;
  /** The user chose a status while it ran: their choice wins for the rest of the event. */
  readonly dismissed: boolean;
}

/**
 * Everything the aggregator knows about one user, folded from the log. Stored whole (jsonb) beside
 * the public view, so a restart resumes from the checkpoint without a replay.
 */
export interface UserState {
  readonly userId: string;
  /** Sorted by device id (a user has a handful: a scan beats a keyed lookup, and copies are cheap). */
  readonly devices: readonly DeviceSession[];
  /** Last activity on any device (second precision); frozen while invisible (RULES.md 2.7). */
  readonly lastActive: string | null;
  /** Manual override; null = automatic. Persists across sessions (RULES.md 2.4). */
  readonly manual: ManualPresence | null;
  readonly statusText: StatusText | null;
  /** The admin custom status the user holds, if the presence and text came from one. */
  readonly customStatusId: string | null;
  /** Per-user idle timeout preference; null = the workspace default. */
  readonly idleTimeoutS: number | null;
  readonly shareAvailability: ShareAvailability;
  readonly calendar: Readonly<Record<string, CalendarBusy>>;
  /** Meetings the user is a present attendee of. */
  readonly meetings: readonly string[];
}

export function initialUserState(userId: string): UserState {
  return {
    userId,
    devices: [],
    lastActive: null,
    manual: null,
    statusText: null,
    customStatusId: null,
    idleTimeoutS: null,
    shareAvailability: 'everyone',
    calendar: {},
    meetings: [],
  };
}

/**
 * Applies one fact to a user. Pure and total: a fact that does not concern the user's current
 * state (an older session, a timer that newer activity overtook) returns the state unchanged.
 */
export function evolveUser(
  state: UserState,
  fact: UserFact | PartitionFact,
  workspace: Workspace,
): UserState {
  switch (fact.type) {
    case 'DeviceConnected':
      return active(withDevice(state, newSession(fact)), fact.at);
    case 'DeviceDisconnected': {
      const device = liveDevice(state, fact.deviceId, fact.sessionId);
      if (!device) return state;
      // Goodbye: offline at once. A sleeping desktop that drops was going away anyway (RULES.md 1).
      if (fact.reason === 'goodbye' || (fact.reason === 'abnormal' && device.asleep)) {
        return withoutDevice(state, fact.deviceId);
      }
      const closed = { seq: fact.seq, at: fact.at, draining: fact.reason === 'gateway_drain' };
      return withDevice(state, { ...device, closed });
    }
    case 'DeviceActivity': {
      // The most frequent fact: one new state, one new device (no intermediate copies).
      const device = liveDevice(state, fact.deviceId, fact.sessionId);
      if (!device) return state;
      return {
        ...state,
        devices: replaced(state.devices, activated(device, fact)),
        lastActive: state.manual === 'invisible' ? state.lastActive : toSecond(fact.at),
      };
    }
    case 'DeviceSystemEvent': {
      const device = liveDevice(state, fact.deviceId, fact.sessionId);
      if (!device) return state;
      const next = systemEvent(device, fact.state, fact);
      if (next === device) return state;
      const woke = next.activitySeq !== device.activitySeq;
      const updated = withDevice(state, next);
      return woke ? active(updated, fact.at) : updated;
    }
    case 'DeviceIdleTimedOut': {
      const device = liveDevice(state, fact.deviceId, fact.sessionId);
      if (!device || device.idle || device.activitySeq !== fact.activitySeq) return state;
      if (device.platform === 'mobile') return state;
      return withDevice(state, { ...device, idle: true });
    }
    case 'DeviceGraceExpired': {
      const device = deviceOf(state, fact.deviceId);
      if (device?.sessionId !== fact.sessionId || device.closed?.seq !== fact.disconnectedSeq) {
        return state;
      }
      return withoutDevice(state, fact.deviceId);
    }
    case 'ManualStatusSet':
      return {
        ...dismissCalendar(state),
        manual: manualOf(fact.presence),
        customStatusId: null,
        statusText: fact.text ? textOf(fact.text, fact) : null,
      };
    case 'StatusTextSet':
      return {
        ...state,
        customStatusId: null,
        statusText: fact.text === '' ? null : textOf(fact.text, fact, fact.clearAfterS),
      };
    case 'StatusTextExpired':
      return state.statusText?.setSeq === fact.setSeq ? { ...state, statusText: null } : state;
    case 'CustomStatusSelected': {
      // Gateways check the id first; one deleted meanwhile is ignored rather than guessed.
      const status = workspace.customStatuses[fact.customStatusId];
      if (!status) return state;
      return {
        ...dismissCalendar(state),
        manual: manualOf(status.presence),
        customStatusId: status.id,
        statusText: textOf(status.name, fact),
      };
    }
    case 'PreferencesSet':
      return {
        ...state,
        idleTimeoutS:
          fact.idleTimeoutS === null
            ? state.idleTimeoutS
            : fact.idleTimeoutS === 0
              ? null
              : fact.idleTimeoutS,
        shareAvailability: fact.shareAvailability ?? state.shareAvailability,
      };
    case 'CalendarBusySet': {
      if (Date.parse(fact.end) <= Date.parse(fact.at)) {
        const { [fact.calendarEventId]: _past, ...rest } = state.calendar;
        return { ...state, calendar: rest };
      }
      const started = Date.parse(fact.start) <= Date.parse(fact.at);
      const event: CalendarBusy = { start: fact.start, end: fact.end, started, dismissed: false };
      return { ...state, calendar: sortedWith(state.calendar, fact.calendarEventId, event) };
    }
    case 'CalendarBoundaryReached': {
      const event = state.calendar[fact.calendarEventId];
      if (!event) return state;
      if (!fact.started && event.end === fact.boundary) {
        const { [fact.calendarEventId]: _ended, ...rest } = state.calendar;
        return { ...state, calendar: rest };
      }
      if (fact.started && event.start === fact.boundary && !event.started) {
        return {
          ...state,
          calendar: sortedWith(state.calendar, fact.calendarEventId, { ...event, started: true }),
        };
      }
      return state;
    }
    case 'MeetingPresenceSet': {
      if (state.meetings.includes(fact.meetingId) === fact.present) return state;
      const meetings = fact.present
        ? [...state.meetings, fact.meetingId].sort()
        : state.meetings.filter((meeting) => meeting !== fact.meetingId);
      return { ...state, meetings };
    }
    case 'GatewayLost': {
      const kept = state.devices.filter(
        (device) => device.gatewayId !== fact.gatewayId || device.closed !== null,
      );
      return kept.length === state.devices.length ? state : { ...state, devices: kept };
    }
    case 'CustomStatusDefined': {
      if (state.customStatusId !== fact.status.id) return state;
      return {
        ...state,
        manual: manualOf(fact.status.presence),
        statusText: state.statusText && { ...state.statusText, text: fact.status.name },
      };
    }
    case 'CustomStatusDeleted':
      if (state.customStatusId !== fact.customStatusId) return state;
      return { ...state, customStatusId: null, manual: null, statusText: null };
    case 'WorkspaceSettingsChanged':
      return state;
    default:
      return assertNever(fact);
  }
}

function newSession(fact: DeviceConnected): DeviceSession {
  return {
    deviceId: fact.deviceId,
    sessionId: fact.sessionId,
    platform: fact.platform,
    gatewayId: fact.gatewayId,
    activitySeq: fact.seq,
    activityAt: fact.at,
    idle: false,
    locked: false,
    asleep: false,
    background: false,
    closed: null,
  };
}

/** The device's session, connected or within its grace. */
export function deviceOf(state: UserState, deviceId: string): DeviceSession | undefined {
  for (const device of state.devices) if (device.deviceId === deviceId) return device;
  return undefined;
}

/** The device's session when the fact is about it and it is still connected. */
function liveDevice(state: UserState, deviceId: string, sessionId: string): DeviceSession | null {
  const device = deviceOf(state, deviceId);
  return device?.sessionId === sessionId && device.closed === null ? device : null;
}

function activated(device: DeviceSession, fact: { seq: number; at: string }): DeviceSession {
  return { ...device, activitySeq: fact.seq, activityAt: fact.at, idle: false };
}

/** RULES.md 1: which system events act on which platform. */
function systemEvent(
  device: DeviceSession,
  event: SystemState,
  fact: { seq: number; at: string },
): DeviceSession {
  switch (event) {
    case 'locked':
      return device.platform === 'desktop' && !device.locked ? { ...device, locked: true } : device;
    case 'sleep':
      return device.platform === 'desktop' && !device.asleep ? { ...device, asleep: true } : device;
    case 'background':
      return device.platform === 'mobile' && !device.background
        ? { ...device, background: true }
        : device;
    case 'unlocked':
      return { ...activated(device, fact), locked: false };
    case 'wake':
      return { ...activated(device, fact), asleep: false };
    case 'foreground':
      return { ...activated(device, fact), background: false };
    default:
      return assertNever(event);
  }
}

/** Advances last activity, except while invisible (others must not see it move). */
function active(state: UserState, at: string): UserState {
  return state.manual === 'invisible' ? state : { ...state, lastActive: toSecond(at) };
}

function manualOf(presence: ChosenPresence): ManualPresence | null {
  return presence === 'online' ? null : presence;
}

function textOf(text: string, fact: { seq: number; at: string }, clearAfterS = 0): StatusText {
  return { text, setSeq: fact.seq, setAt: fact.at, clearAfterS };
}

/** A status chosen while a calendar event runs wins over the event (RULES.md 2.5). */
function dismissCalendar(state: UserState): UserState {
  const running = Object.entries(state.calendar).filter(([, e]) => e.started && !e.dismissed);
  if (running.length === 0) return state;
  const calendar = { ...state.calendar };
  for (const [id, event] of running) calendar[id] = { ...event, dismissed: true };
  return { ...state, calendar };
}

/** The device added or replaced, in device id order (the stored JSON is the same however it came). */
function withDevice(state: UserState, device: DeviceSession): UserState {
  return { ...state, devices: replaced(state.devices, device) };
}

function replaced(devices: readonly DeviceSession[], device: DeviceSession): DeviceSession[] {
  const at = devices.findIndex((d) => d.deviceId >= device.deviceId);
  if (at === -1) return [...devices, device];
  const next = devices.slice();
  if (devices[at]!.deviceId === device.deviceId) next[at] = device;
  else next.splice(at, 0, device);
  return next;
}

function withoutDevice(state: UserState, deviceId: string): UserState {
  return { ...state, devices: state.devices.filter((device) => device.deviceId !== deviceId) };
}

/** Keys sorted, so the stored JSON is the same however the entries arrived. */
function sortedWith<T>(
  entries: Readonly<Record<string, T>>,
  key: string,
  value: T,
): Record<string, T> {
  const next: Record<string, T> = { ...entries, [key]: value };
  return Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `2026-11-22T10:00:00.123Z` -> `2026-11-22T10:00:00Z` (RULES.md: second precision). */
export function toSecond(iso: string): string {
  const dot = iso.indexOf('.');
  return dot === -1 ? iso : `${iso.slice(0, dot)}Z`;
}
