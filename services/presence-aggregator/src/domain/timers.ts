import type {
  CalendarBoundaryReached,
  DeviceGraceExpired,
  DeviceIdleTimedOut,
  StatusTextExpired,
} from './facts.js';
import type { CalendarBusy, DeviceSession, StatusText, UserState } from './user-state.js';
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

/** What a timer expires: enough to compute when, and to build the fact only when it is wanted. */
type Pending =
  | { readonly kind: 'grace' | 'idle'; readonly deviceId: string; readonly device: DeviceSession }
  | { readonly kind: 'text'; readonly text: StatusText }
  | {
      readonly kind: 'calendar';
      readonly calendarEventId: string;
      readonly event: CalendarBusy;
      readonly started: boolean;
    };

/** The one definition of what a state waits for, and when (RULES.md 1, 2.5, 3). */
function eachPending(
  state: UserState,
  settings: WorkspaceSettings,
  visit: (dueAt: number, pending: Pending) => void,
): void {
  const idleMs = (state.idleTimeoutS ?? settings.idleTimeoutS) * 1000;
  for (const device of state.devices) {
    const { deviceId } = device;
    if (device.closed) {
      visit(Date.parse(device.closed.at) + settings.reconnectGraceS * 1000, {
        kind: 'grace',
        deviceId,
        device,
      });
    } else if (!device.idle && device.platform !== 'mobile') {
      // The boundary itself counts as idle (RULES.md 1): due exactly at activity + timeout.
      visit(Date.parse(device.activityAt) + idleMs, { kind: 'idle', deviceId, device });
    }
  }
  const text = state.statusText;
  if (text && text.clearAfterS > 0) {
    visit(Date.parse(text.setAt) + text.clearAfterS * 1000, { kind: 'text', text });
  }
  for (const calendarEventId in state.calendar) {
    const event = state.calendar[calendarEventId]!;
    if (!event.started) {
      visit(Date.parse(event.start), { kind: 'calendar', calendarEventId, event, started: true });
    }
    visit(Date.parse(event.end), { kind: 'calendar', calendarEventId, event, started: false });
  }
}

/**
 * Every timer a user's state is waiting for. Each names the state it expires (an activity
 * sequence, a close, a text, a calendar boundary), so a fact decided on a state that newer facts
 * overtook is ignored by `evolveUser`. Pure: the adapter compares `dueAt` with its clock.
 */
export function timersOf(state: UserState, settings: WorkspaceSettings): Timer[] {
  const timers: Timer[] = [];
  eachPending(state, settings, (dueAt, pending) =>
    timers.push(timerOf(state.userId, dueAt, pending)),
  );
  return timers.sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : 1));
}

function timerOf(userId: string, dueAt: number, pending: Pending): Timer {
  switch (pending.kind) {
    case 'grace': {
      const { deviceId, device } = pending;
      const seq = device.closed!.seq;
      return {
        dueAt,
        id: `grace:${userId}:${deviceId}:${seq}`,
        fact: {
          type: 'DeviceGraceExpired',
          userId,
          deviceId,
          sessionId: device.sessionId,
          disconnectedSeq: seq,
        },
      };
    }
    case 'idle': {
      const { deviceId, device } = pending;
      return {
        dueAt,
        id: `idle:${userId}:${deviceId}:${device.activitySeq}`,
        fact: {
          type: 'DeviceIdleTimedOut',
          userId,
          deviceId,
          sessionId: device.sessionId,
          activitySeq: device.activitySeq,
        },
      };
    }
    case 'text':
      return {
        dueAt,
        id: `text:${userId}:${pending.text.setSeq}`,
        fact: { type: 'StatusTextExpired', userId, setSeq: pending.text.setSeq },
      };
    case 'calendar': {
      const { calendarEventId, event, started } = pending;
      return {
        dueAt,
        id: `calendar:${userId}:${calendarEventId}:${started ? 'start' : 'end'}:${dueAt}`,
        fact: {
          type: 'CalendarBoundaryReached',
          userId,
          calendarEventId,
          started,
          boundary: started ? event.start : event.end,
        },
      };
    }
  }
}

/**
 * The earliest due time of a user's timers, or null when nothing is pending. It runs for every
 * user a batch touches, so it builds no fact and no id.
 */
export function nextDueAt(state: UserState, settings: WorkspaceSettings): number | null {
  let next = Infinity;
  eachPending(state, settings, (dueAt) => {
    if (dueAt < next) next = dueAt;
  });
  return next === Infinity ? null : next;
}
