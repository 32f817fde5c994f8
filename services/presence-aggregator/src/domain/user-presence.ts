import type { DeviceFact, Platform } from './device-facts.js';
import { assertNever } from '@presence/domain';

/** One connected device session. */
export interface DeviceSession {
  readonly sessionId: string;
  readonly platform: Platform;
  readonly gatewayId: string;
  readonly connectedAt: string;
}

/**
 * Everything the aggregator knows about one user, folded from their facts. It is stored whole
 * (as JSON) next to the public view, so a restart resumes from the checkpoint without a replay.
 */
export interface UserPresence {
  readonly userId: string;
  /** Connected devices by device id (Phoenix-style: one entry per connection). */
  readonly devices: Readonly<Record<string, DeviceSession>>;
  /** Last activity on any device, second precision; null when never seen. */
  readonly lastActive: string | null;
}

export function initialUserPresence(userId: string): UserPresence {
  return { userId, devices: {}, lastActive: null };
}

/** Applies one fact. Pure and total: facts it does not act on leave the state unchanged. */
export function evolve(state: UserPresence, fact: DeviceFact): UserPresence {
  switch (fact.type) {
    case 'DeviceConnected':
      return {
        ...state,
        devices: withDevice(state.devices, fact.deviceId, {
          sessionId: fact.sessionId,
          platform: fact.platform,
          gatewayId: fact.gatewayId,
          connectedAt: fact.at,
        }),
        lastActive: toSecond(fact.at),
      };
    case 'DeviceDisconnected': {
      // A late disconnect of an older session must not remove the device's newer session.
      if (state.devices[fact.deviceId]?.sessionId !== fact.sessionId) return state;
      const { [fact.deviceId]: _gone, ...rest } = state.devices;
      return { ...state, devices: rest };
    }
    case 'Other':
      return state;
    default:
      return assertNever(fact);
  }
}

/** Keys sorted so the stored JSON is the same however the devices arrived. */
function withDevice(
  devices: Readonly<Record<string, DeviceSession>>,
  deviceId: string,
  session: DeviceSession,
): Record<string, DeviceSession> {
  const next: Record<string, DeviceSession> = { ...devices, [deviceId]: session };
  return Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `2026-11-22T10:00:00.123Z` -> `2026-11-22T10:00:00Z` (RULES.md: second precision). */
export function toSecond(iso: string): string {
  const dot = iso.indexOf('.');
  return dot === -1 ? iso : `${iso.slice(0, dot)}Z`;
}
