import {
  DeviceState,
  Display,
  Platform,
  Presence,
  type PresenceChanged,
  type PresenceView,
} from '@presence/contracts';
import { textFrame } from './frame-writer.js';

/** A presence view as JSON frames carry it (CONTRACT.md, `presence` / `presence.changed`). */
export interface WireView {
  readonly user: string;
  readonly presence: string;
  readonly display: string;
  readonly online: boolean;
  readonly status_text?: string;
  readonly last_active?: string;
  readonly devices: Readonly<Record<string, string>>;
  readonly version: number;
}

const PRESENCE: Record<Presence, string> = {
  [Presence.PRESENCE_UNSPECIFIED]: 'offline',
  [Presence.PRESENCE_ONLINE]: 'online',
  [Presence.PRESENCE_AWAY]: 'away',
  [Presence.PRESENCE_BUSY]: 'busy',
  [Presence.PRESENCE_OFFLINE]: 'offline',
  [Presence.PRESENCE_INVISIBLE]: 'invisible',
};

const DISPLAY: Record<Display, string> = {
  [Display.DISPLAY_UNSPECIFIED]: 'offline',
  [Display.DISPLAY_AVAILABLE]: 'available',
  [Display.DISPLAY_BUSY]: 'busy',
  [Display.DISPLAY_IDLE]: 'idle',
  [Display.DISPLAY_OFFLINE]: 'offline',
  [Display.DISPLAY_MOBILE]: 'mobile',
  [Display.DISPLAY_HIDDEN]: 'hidden',
};

const PLATFORM: Record<Platform, string | undefined> = {
  [Platform.PLATFORM_UNSPECIFIED]: undefined,
  [Platform.PLATFORM_DESKTOP]: 'desktop',
  [Platform.PLATFORM_WEB]: 'web',
  [Platform.PLATFORM_MOBILE]: 'mobile',
};

const DEVICE_STATE: Record<DeviceState, string> = {
  [DeviceState.DEVICE_STATE_UNSPECIFIED]: 'offline',
  [DeviceState.DEVICE_STATE_ONLINE]: 'online',
  [DeviceState.DEVICE_STATE_AWAY]: 'away',
  [DeviceState.DEVICE_STATE_OFFLINE]: 'offline',
};

export function toWireView(view: PresenceView): WireView {
  const devices: Record<string, string> = {};
  for (const { platform, state } of view.devices) {
    const name = PLATFORM[platform];
    if (name) devices[name] = DEVICE_STATE[state];
  }
  return {
    user: view.userId,
    presence: PRESENCE[view.presence],
    display: DISPLAY[view.display],
    online: view.online,
    ...(view.statusText === undefined ? {} : { status_text: view.statusText }),
    ...(view.lastActive === undefined ? {} : { last_active: toSecond(view.lastActive) }),
    devices,
    version: Number(view.version),
  };
}

/** The view of a user the log has never seen: offline, version 0. */
export function unknownPresenceView(user: string): PresenceView {
  return {
    userId: user,
    presence: Presence.PRESENCE_OFFLINE,
    display: Display.DISPLAY_OFFLINE,
    online: false,
    devices: [],
    version: '0',
  };
}

/**
 * One published view, shared by every watcher it reaches: device connections want JSON, gRPC
 * watchers the protobuf message. Each form is built at most once, and only if someone needs it.
 */
export class PresenceUpdate {
  private wireView: WireView | undefined;
  private changedBytes: Buffer | undefined;
  private snapshotBytes: Buffer | undefined;
  readonly user: string;
  readonly version: number;

  constructor(readonly message: PresenceChanged & { readonly view: PresenceView }) {
    this.user = message.view.userId;
    this.version = Number(message.view.version);
  }

  static unknown(user: string): PresenceUpdate {
    return new PresenceUpdate({ view: unknownPresenceView(user), changedAt: undefined });
  }

  get wire(): WireView {
    return (this.wireView ??= toWireView(this.message.view));
  }

  /** The `presence.changed` frame (CONTRACT.md), as the WebSocket frame every watcher gets. */
  changedFrame(): Buffer {
    return (this.changedBytes ??= textFrame(
      JSON.stringify({ type: 'presence.changed', ...this.wire }),
    ));
  }

  /** The `presence` frame of a watch's snapshot; many watchers of a user share one view. */
  snapshotFrame(): Buffer {
    return (this.snapshotBytes ??= textFrame(JSON.stringify({ type: 'presence', ...this.wire })));
  }
}

/** RULES.md: `last_active` has second precision (`2026-11-22T10:00:00Z`). */
function toSecond(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}
