import { randomUUID } from 'node:crypto';
import { publishEvent, type JetStreamClient } from '@presence/bus';
import {
  DeviceEvent,
  DisconnectReason,
  Platform,
  SystemState,
  partitionOf,
  subjects,
} from '@presence/contracts';
import type { PlatformName } from '../domain/handshake.js';
import type { SystemStateName } from '../domain/frames.js';

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

  return {
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
