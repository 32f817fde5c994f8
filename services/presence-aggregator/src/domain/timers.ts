import type {
  CalendarBoundaryReached,
  DeviceGraceExpired,
  DeviceIdleTimedOut,
  StatusTextExpired,
} from './facts.js';
import type { UserState } from './user-state.js';
import type { WorkspaceSettings } from './workspace.js';

type Unsequenced<T> = Omit<T, 'seq' | 'at'>;

/** A timer fact before it is in the log: what to append, and from when (DESIGN.md, timers). */
export type TimerFact =
  | Unsequenced<DeviceIdleTimedOut>
  | Unsequenced<DeviceGraceExpired>
  | Unsequenced<StatusTextExpired>
  | Unsequenced<CalendarBoundaryReached>;

export interface Timer {
  /** When the fact is due (ms since the epoch); the fact is appended with this as its time. */
  readonly dueAt: number;
  /** Stable per expiry, so appending it twice (two owners, a retry) is de-duplicated. */
  readonly id: string;
  readonly fact: TimerFact;
}

/**
 * Every timer a user's state is waiting for. Each names the state it expires (an activity
 * sequence, a close, a text, a calendar boundary), so a fact decided on a state that newer facts
 * overtook is ignored by `evolveUser`. Pure: the adapter compares `dueAt` with its clock.
 */
export function timersOf(state: UserState, settings: WorkspaceSettings): Timer[] {
  const timers: Timer[] = [];
  const { userId } = state;
  const idleTimeoutS = state.idleTimeoutS ?? settings.idleTimeoutS;
  for (const [deviceId, device] of Object.entries(state.devices)) {
    const ref = { userId, deviceId, sessionId: device.sessionId };
    if (device.closed) {
      timers.push({
        dueAt: Date.parse(device.closed.at) + settings.reconnectGraceS * 1000,
        id: `grace:${userId}:${deviceId}:${device.closed.seq}`,
        fact: { type: 'DeviceGraceExpired', ...ref, disconnectedSeq: device.closed.seq },
      });
    } else if (!device.idle && device.platform !== 'mobile') {
      // The boundary itself counts as idle (RULES.md 1): due exactly at activity + timeout.
      timers.push({
        dueAt: Date.parse(device.activityAt) + idleTimeoutS * 1000,
        id: `idle:${userId}:${deviceId}:${device.activitySeq}`,
        fact: { type: 'DeviceIdleTimedOut', ...ref, activitySeq: device.activitySeq },
      });
    }
  }
  const text = state.statusText;
  if (text && text.clearAfterS > 0) {
    timers.push({
      dueAt: Date.parse(text.setAt) + text.clearAfterS * 1000,
      id: `text:${userId}:${text.setSeq}`,
      fact: { type: 'StatusTextExpired', userId, setSeq: text.setSeq },
    });
  }
  for (const [calendarEventId, event] of Object.entries(state.calendar)) {
    const boundary = (started: boolean): Timer => {
      const at = started ? event.start : event.end;
      return {
        dueAt: Date.parse(at),
        id: `calendar:${userId}:${calendarEventId}:${started ? 'start' : 'end'}:${Date.parse(at)}`,
        fact: { type: 'CalendarBoundaryReached', userId, calendarEventId, started, boundary: at },
      };
    };
    if (!event.started) timers.push(boundary(true));
    timers.push(boundary(false));
  }
  return timers.sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : 1));
}

/**
 * The earliest due time of a user's timers, or null when nothing is pending: `timersOf` without
 * building the facts, since it runs for every user a batch touches.
 */
export function nextDueAt(state: UserState, settings: WorkspaceSettings): number | null {
  let next = Infinity;
  const idleMs = (state.idleTimeoutS ?? settings.idleTimeoutS) * 1000;
  for (const deviceId in state.devices) {
    const device = state.devices[deviceId]!;
    if (device.closed) {
      next = Math.min(next, Date.parse(device.closed.at) + settings.reconnectGraceS * 1000);
    } else if (!device.idle && device.platform !== 'mobile') {
      next = Math.min(next, Date.parse(device.activityAt) + idleMs);
    }
  }
  const text = state.statusText;
  if (text && text.clearAfterS > 0) {
    next = Math.min(next, Date.parse(text.setAt) + text.clearAfterS * 1000);
  }
  for (const id in state.calendar) {
    const event = state.calendar[id]!;
    next = Math.min(next, Date.parse(event.started ? event.end : event.start));
  }
  return next === Infinity ? null : next;
}
