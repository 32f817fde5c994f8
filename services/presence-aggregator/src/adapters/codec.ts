import {
  DeviceEvent,
  DeviceState,
  Display,
  DisconnectReason,
  Platform as PbPlatform,
  Presence,
  PresenceChanged,
  lastToken,
} from '@presence/contracts';
import { isValidId } from '@presence/domain';
import type { BusMessage } from '@presence/bus';
import type { DeviceFact, Platform } from '../domain/device-facts.js';
import type { PresenceChange } from '../domain/presence-step.js';
import type { DisplayName, PresenceName } from '../domain/presence-view.js';

/** The only place that converts between protobuf and the aggregator's domain types. */

export type Decoded =
  | { readonly ok: true; readonly fact: DeviceFact }
  | { readonly ok: false; readonly reason: string };

const PLATFORMS: Partial<Record<PbPlatform, Platform>> = {
  [PbPlatform.PLATFORM_DESKTOP]: 'desktop',
  [PbPlatform.PLATFORM_WEB]: 'web',
  [PbPlatform.PLATFORM_MOBILE]: 'mobile',
};

const REASONS = {
  [DisconnectReason.DISCONNECT_REASON_GOODBYE]: 'goodbye',
  [DisconnectReason.DISCONNECT_REASON_ABNORMAL]: 'abnormal',
  [DisconnectReason.DISCONNECT_REASON_GATEWAY_DRAIN]: 'gateway_drain',
} as const;

/** Decodes a DEVICE_EVENTS message; a fact the log cannot mean is reported, never guessed. */
export function decodeDeviceFact(message: BusMessage): Decoded {
  let event: DeviceEvent;
  try {
    event = DeviceEvent.decode(message.data);
  } catch (error) {
    return { ok: false, reason: `undecodable DeviceEvent: ${(error as Error).message}` };
  }
  const subjectUser = lastToken(message.subject);
  if (!isValidId(event.userId) || event.userId !== subjectUser) {
    return {
      ok: false,
      reason: `user_id ${JSON.stringify(event.userId)} does not match subject ${message.subject}`,
    };
  }
  const at = new Date(event.occurredAt ?? message.storedAt);
  if (Number.isNaN(at.getTime()))
    return { ok: false, reason: `invalid occurred_at ${event.occurredAt}` };
  const base = { seq: Number(message.seq), at: at.toISOString(), userId: event.userId };
  const body = event.event;
  if (body === undefined) return { ok: false, reason: 'DeviceEvent without an event' };
  switch (body.$case) {
    case 'deviceConnected': {
      const platform = PLATFORMS[body.value.platform];
      if (!platform) return { ok: false, reason: `unknown platform ${body.value.platform}` };
      return {
        ok: true,
        fact: {
          ...base,
          type: 'DeviceConnected',
          ...pick(body.value),
          platform,
          gatewayId: body.value.gatewayId,
        },
      };
    }
    case 'deviceDisconnected': {
      const reason = REASONS[body.value.reason as keyof typeof REASONS];
      if (!reason) return { ok: false, reason: `unknown disconnect reason ${body.value.reason}` };
      return {
        ok: true,
        fact: { ...base, type: 'DeviceDisconnected', ...pick(body.value), reason },
      };
    }
    default:
      return { ok: true, fact: { ...base, type: 'Other', name: body.$case } };
  }
}

function pick(value: { deviceId: string; sessionId: string }) {
  return { deviceId: value.deviceId, sessionId: value.sessionId };
}

const PRESENCE: Record<PresenceName, Presence> = {
  online: Presence.PRESENCE_ONLINE,
  away: Presence.PRESENCE_AWAY,
  busy: Presence.PRESENCE_BUSY,
  offline: Presence.PRESENCE_OFFLINE,
};

const DISPLAY: Record<DisplayName, Display> = {
  available: Display.DISPLAY_AVAILABLE,
  busy: Display.DISPLAY_BUSY,
  idle: Display.DISPLAY_IDLE,
  offline: Display.DISPLAY_OFFLINE,
  mobile: Display.DISPLAY_MOBILE,
  hidden: Display.DISPLAY_HIDDEN,
};

const PB_PLATFORM: Record<Platform, PbPlatform> = {
  desktop: PbPlatform.PLATFORM_DESKTOP,
  web: PbPlatform.PLATFORM_WEB,
  mobile: PbPlatform.PLATFORM_MOBILE,
};

/** The PresenceChanged message of a change. */
export function encodePresenceChanged(change: PresenceChange): Uint8Array {
  const { view } = change;
  return PresenceChanged.encode({
    view: {
      userId: change.userId,
      presence: PRESENCE[view.presence],
      display: DISPLAY[view.display],
      online: view.online,
      statusText: view.statusText ?? undefined,
      lastActive: view.lastActive ?? undefined,
      devices: Object.entries(view.devices).map(([platform, state]) => ({
        platform: PB_PLATFORM[platform as Platform],
        state: state === 'online' ? DeviceState.DEVICE_STATE_ONLINE : DeviceState.DEVICE_STATE_AWAY,
      })),
      version: String(change.version),
    },
    changedAt: change.changedAt,
  }).finish();
}
