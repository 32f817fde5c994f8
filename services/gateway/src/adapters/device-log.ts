import { randomUUID } from 'node:crypto';
import { publishEvent, type JetStreamClient } from '@presence/bus';
import { assertNever } from '@presence/domain';
import {
  DeviceEvent,
  DisconnectReason,
  Platform,
  Presence,
  ShareAvailability,
  SystemState,
  partitionOf,
  subjects,
  type CalendarBusySet,
  type ManualStatusSet,
  type PreferencesSet,
  type StatusTextSet,
} from '@presence/contracts';
import type { PlatformName } from '../domain/handshake.js';
import type { SystemStateName } from '../domain/frames.js';
import type { StatusFact } from '../domain/status-commands.js';
import type { ShareAvailabilityName } from '../domain/status-frames.js';
import type { PresenceChoice } from '../domain/workspace.js';

/** The facts a gateway appends about one device session. */
export interface DeviceSessionRef {
  readonly userId: string;
  readonly deviceId: string;
  readonly sessionId: string;
}

type DeviceEventBody = NonNullable<DeviceEvent['event']>;

const PLATFORMS: Record<PlatformName, Platform> = {
  desktop: Platform.PLATFORM_DESKTOP,
  web: Platform.PLATFORM_WEB,
  mobile: Platform.PLATFORM_MOBILE,
};

const SYSTEM_STATES: Record<SystemStateName, SystemState> = {
  locked: SystemState.SYSTEM_STATE_LOCKED,
  unlocked: SystemState.SYSTEM_STATE_UNLOCKED,
  sleep: SystemState.SYSTEM_STATE_SLEEP,
  wake: SystemState.SYSTEM_STATE_WAKE,
  background: SystemState.SYSTEM_STATE_BACKGROUND,
  foreground: SystemState.SYSTEM_STATE_FOREGROUND,
};

const PRESENCES: Record<PresenceChoice, Presence> = {
  online: Presence.PRESENCE_ONLINE,
  away: Presence.PRESENCE_AWAY,
  busy: Presence.PRESENCE_BUSY,
  invisible: Presence.PRESENCE_INVISIBLE,
};

const SHARE: Record<ShareAvailabilityName, ShareAvailability> = {
  everyone: ShareAvailability.SHARE_AVAILABILITY_EVERYONE,
  nobody: ShareAvailability.SHARE_AVAILABILITY_NOBODY,
};

const REASONS = {
  goodbye: DisconnectReason.DISCONNECT_REASON_GOODBYE,
  abnormal: DisconnectReason.DISCONNECT_REASON_ABNORMAL,
  drain: DisconnectReason.DISCONNECT_REASON_GATEWAY_DRAIN,
} as const;

/**
 * Appends device facts to DEVICE_EVENTS on the user's partition subject and resolves once the
 * stream acknowledged them (the fact is durable).
 */
export function createDeviceLog(options: {
  js: JetStreamClient;
  partitions: number;
  gatewayId: string;
}) {
  const { js, partitions, gatewayId } = options;

  async function append(userId: string, event: DeviceEventBody): Promise<void> {
    const id = randomUUID();
    const occurredAt = new Date().toISOString();
    await publishEvent(js, {
      natsSubject: subjects.device(partitionOf(userId, partitions), userId),
      id,
      type: 'presence.v1.DeviceEvent',
      source: 'gateway',
      subject: userId,
      time: occurredAt,
      data: DeviceEvent.encode({ eventId: id, userId, occurredAt, event }).finish(),
    });
  }

  const ids = (s: DeviceSessionRef) => ({ deviceId: s.deviceId, sessionId: s.sessionId });

  const manualStatusSet = (userId: string, value: ManualStatusSet) =>
    append(userId, { $case: 'manualStatusSet', value });
  const customStatusSelected = (userId: string, customStatusId: string) =>
    append(userId, { $case: 'customStatusSelected', value: { customStatusId } });
  const statusTextSet = (userId: string, value: StatusTextSet) =>
    append(userId, { $case: 'statusTextSet', value });
  const preferencesSet = (userId: string, value: PreferencesSet) =>
    append(userId, { $case: 'preferencesSet', value });
  const calendarBusySet = (userId: string, value: CalendarBusySet) =>
    append(userId, { $case: 'calendarBusySet', value });

  /** Appends what `decideStatus` decided, as its DeviceEvent. */
  function statusFact(userId: string, fact: StatusFact): Promise<void> {
    switch (fact.kind) {
      case 'manualStatusSet':
        return manualStatusSet(userId, {
          presence: PRESENCES[fact.presence],
          ...(fact.text === undefined ? {} : { text: fact.text }),
          deviceId: fact.deviceId,
        });
      case 'customStatusSelected':
        return customStatusSelected(userId, fact.customStatusId);
      case 'statusTextSet':
        return statusTextSet(userId, { text: fact.text, clearAfterS: fact.clearAfterS });
      case 'preferencesSet':
        return preferencesSet(userId, {
          ...(fact.idleTimeoutS === undefined ? {} : { idleTimeoutS: fact.idleTimeoutS }),
          // UNSPECIFIED keeps the user's current choice (PreferencesSet: unset fields keep their value).
          shareAvailability:
            fact.shareAvailability === undefined
              ? ShareAvailability.SHARE_AVAILABILITY_UNSPECIFIED
              : SHARE[fact.shareAvailability],
        });
      default:
        return assertNever(fact);
    }
  }

  return {
    manualStatusSet,
    customStatusSelected,
    statusTextSet,
    preferencesSet,
    calendarBusySet,
    statusFact,
    connected: (s: DeviceSessionRef, platform: PlatformName) =>
      append(s.userId, {
        $case: 'deviceConnected',
        value: { ...ids(s), platform: PLATFORMS[platform], gatewayId },
      }),
    disconnected: (s: DeviceSessionRef, reason: keyof typeof REASONS) =>
      append(s.userId, {
        $case: 'deviceDisconnected',
        value: { ...ids(s), reason: REASONS[reason] },
      }),
    activity: (s: DeviceSessionRef) => append(s.userId, { $case: 'deviceActivity', value: ids(s) }),
    systemEvent: (s: DeviceSessionRef, state: SystemStateName) =>
      append(s.userId, {
        $case: 'deviceSystemEvent',
        value: { ...ids(s), state: SYSTEM_STATES[state] },
      }),
  };
}

export type DeviceLog = ReturnType<typeof createDeviceLog>;
