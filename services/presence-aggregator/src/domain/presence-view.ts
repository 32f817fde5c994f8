import type { Platform } from './device-facts.js';
import type { UserPresence } from './user-presence.js';

export type PresenceName = 'online' | 'away' | 'busy' | 'offline';
export type DisplayName = 'available' | 'busy' | 'idle' | 'offline' | 'mobile' | 'hidden';
export type DeviceStateName = 'online' | 'away';

/** A user's presence as other users see it (RULES.md 2, views), without its version. */
export interface PresenceView {
  readonly presence: PresenceName;
  readonly display: DisplayName;
  readonly online: boolean;
  readonly statusText: string | null;
  readonly lastActive: string | null;
  /** Best state per platform, platforms in a fixed order. */
  readonly devices: Readonly<Partial<Record<Platform, DeviceStateName>>>;
}

const PLATFORM_ORDER: readonly Platform[] = ['desktop', 'web', 'mobile'];

/** Walking-skeleton rule: online while at least one device is connected, else offline. */
export function viewOf(state: UserPresence): PresenceView {
  const platforms = new Set(Object.values(state.devices).map((session) => session.platform));
  const online = platforms.size > 0;
  const devices: Partial<Record<Platform, DeviceStateName>> = {};
  for (const platform of PLATFORM_ORDER) if (platforms.has(platform)) devices[platform] = 'online';
  const onlyMobile = online && [...platforms].every((platform) => platform === 'mobile');
  return {
    presence: online ? 'online' : 'offline',
    display: !online ? 'offline' : onlyMobile ? 'mobile' : 'available',
    online,
    statusText: null,
    lastActive: state.lastActive,
    devices,
  };
}

export function sameView(a: PresenceView, b: PresenceView): boolean {
  return (
    a.presence === b.presence &&
    a.display === b.display &&
    a.online === b.online &&
    a.statusText === b.statusText &&
    a.lastActive === b.lastActive &&
    PLATFORM_ORDER.every((platform) => a.devices[platform] === b.devices[platform])
  );
}
