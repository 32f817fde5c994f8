import type { Platform } from './facts.js';
import type { DeviceSession, UserState } from './user-state.js';
import type { Workspace } from './workspace.js';

export type PresenceName = 'online' | 'away' | 'busy' | 'offline' | 'invisible';
export type DisplayName = 'available' | 'busy' | 'idle' | 'offline' | 'mobile' | 'hidden';
export type DeviceStateName = 'online' | 'away';

/** A user's presence as someone sees it (RULES.md 2, views), without its version. */
export interface PresenceView {
  /** `invisible` only ever appears in the user's own view. */
  readonly presence: PresenceName;
  readonly display: DisplayName;
  readonly online: boolean;
  readonly statusText: string | null;
  readonly lastActive: string | null;
  /** Best state per platform, platforms in a fixed order. */
  readonly devices: Readonly<Partial<Record<Platform, DeviceStateName>>>;
}

const PLATFORM_ORDER: readonly Platform[] = ['desktop', 'web', 'mobile'];

/** RULES.md 1: the state of one device. */
export function deviceState(device: DeviceSession): DeviceStateName {
  // A draining gateway moves the client elsewhere: the device keeps its state during the grace.
  if (device.closed && !device.closed.draining) return 'away';
  return device.idle || device.locked || device.asleep || device.background ? 'away' : 'online';
}

/** RULES.md 2: the user's presence as they themselves see it (`invisible` included). */
function ownPresence(state: UserState, workspace: Workspace): PresenceName {
  const devices = state.devices;
  if (devices.length === 0) return 'offline';
  if (state.manual) return state.manual;
  if (calendarBusy(state) || (workspace.settings.meetingSetsBusy && state.meetings.length > 0)) {
    return 'busy';
  }
  return devices.some((device) => deviceState(device) === 'online') ? 'online' : 'away';
}

function calendarBusy(state: UserState): boolean {
  return Object.values(state.calendar).some((event) => event.started && !event.dismissed);
}

/** The view other users see: invisible shows as offline, hidden shows nothing (RULES.md 2.7-8). */
export function publicView(state: UserState, workspace: Workspace): PresenceView {
  return viewsOf(state, workspace).view;
}

/**
 * Both views at once: the one others see and the one the user's own devices see (the real state,
 * `invisible` included). The hot path computes them for every fact.
 */
export function viewsOf(
  state: UserState,
  workspace: Workspace,
): { readonly view: PresenceView; readonly own: PresenceView } {
  const presence = ownPresence(state, workspace);
  const own = viewAs(state, presence);
  if (state.shareAvailability === 'nobody') return { view: HIDDEN, own };
  return { view: presence === 'invisible' ? offline(state) : own, own };
}

const HIDDEN: PresenceView = Object.freeze({
  presence: 'offline',
  display: 'hidden',
  online: false,
  statusText: null,
  lastActive: null,
  devices: {},
});

function offline(state: UserState): PresenceView {
  return {
    presence: 'offline',
    display: 'offline',
    online: false,
    statusText: null,
    lastActive: state.lastActive,
    devices: {},
  };
}

function viewAs(state: UserState, presence: PresenceName): PresenceView {
  if (presence === 'offline') return offline(state);
  const devices = devicesByPlatform(state);
  return {
    presence,
    display: displayOf(presence, devices),
    online: presence !== 'invisible',
    statusText: state.statusText?.text ?? null,
    lastActive: state.lastActive,
    devices,
  };
}

function displayOf(
  presence: Exclude<PresenceName, 'offline'>,
  devices: Partial<Record<Platform, DeviceStateName>>,
): DisplayName {
  switch (presence) {
    case 'busy':
      return 'busy';
    case 'away':
      return 'idle';
    case 'invisible':
      return 'offline';
    case 'online': {
      // Chime's "mobile": online, and only from mobile devices.
      const onlineFrom = PLATFORM_ORDER.filter((platform) => devices[platform] === 'online');
      return onlineFrom.every((platform) => platform === 'mobile') ? 'mobile' : 'available';
    }
  }
}

function devicesByPlatform(state: UserState): Partial<Record<Platform, DeviceStateName>> {
  const best: Partial<Record<Platform, DeviceStateName>> = {};
  for (const device of state.devices) {
    const current = best[device.platform];
    if (current !== 'online') best[device.platform] = deviceState(device);
  }
  const ordered: Partial<Record<Platform, DeviceStateName>> = {};
  for (const platform of PLATFORM_ORDER) {
    const value = best[platform];
    if (value) ordered[platform] = value;
  }
  return ordered;
}

/**
 * Whether two views show the same thing. `last_active` is left out on purpose: activity alone
 * does not publish a change (it would be one event per active user every 30 s); every published
 * change carries the last activity as of that change, so "last seen" is exact when a user goes
 * away or offline.
 */
export function sameView(a: PresenceView, b: PresenceView): boolean {
  return (
    a.presence === b.presence &&
    a.display === b.display &&
    a.online === b.online &&
    a.statusText === b.statusText &&
    PLATFORM_ORDER.every((platform) => a.devices[platform] === b.devices[platform])
  );
}
