/**
 * Facts of the device-event log as the domain sees them (the codec converts from protobuf).
 * `seq` is the fact's position in DEVICE_EVENTS and becomes the presence version; `at` is when it
 * happened (RFC 3339). Time only ever enters the domain this way.
 */
export type Platform = 'desktop' | 'web' | 'mobile';

export type DisconnectReason = 'goodbye' | 'abnormal' | 'gateway_drain';

interface FactBase {
  readonly seq: number;
  readonly at: string;
  readonly userId: string;
}

export interface DeviceConnected extends FactBase {
  readonly type: 'DeviceConnected';
  readonly deviceId: string;
  readonly sessionId: string;
  readonly platform: Platform;
  readonly gatewayId: string;
}

export interface DeviceDisconnected extends FactBase {
  readonly type: 'DeviceDisconnected';
  readonly deviceId: string;
  readonly sessionId: string;
  readonly reason: DisconnectReason;
}

/** A fact of the log this version of the aggregator does not act on (kept for replays). */
export interface OtherFact extends FactBase {
  readonly type: 'Other';
  readonly name: string;
}

export type DeviceFact = DeviceConnected | DeviceDisconnected | OtherFact;
