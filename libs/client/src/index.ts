/** Client SDK of the Presence gateway (CONTRACT.md, "Device WebSocket protocol"). */
export { createPresenceClient } from './client.js';
export type { PresenceClient, PresenceClientEvent, PresenceClientEvents } from './api.js';
export type { PresenceClientOptions } from './options.js';
export type { CloseInfo, ConnectionState } from './connection.js';
export { CLIENT_ERROR_CODES, PresenceError, isPresenceError } from './errors.js';
export { DEFAULT_RECONNECT, backoffDelay, drainDelay, type ReconnectPolicy } from './backoff.js';
export { CLOSE_CODES } from './close-policy.js';
export type { Clock } from './clock.js';
export type { EventTargetLike, ListenerOptions, VisibilityTarget } from './browser.js';
export { socketUrl, type WebSocketConstructor, type WebSocketLike } from './socket.js';
export type { TokenSource } from './token.js';
export type {
  AckFrame,
  AttendeeStatus,
  AudioMode,
  ClientFrame,
  DeviceStatus,
  Display,
  ErrorFrame,
  FrameId,
  HelloFrame,
  MeetingAttendee,
  MeetingAttendeeChangedFrame,
  MeetingIndicators,
  MeetingRosterFrame,
  MessageFrame,
  NotificationFrame,
  NotificationLevel,
  Platform,
  Preferences,
  PresenceChangedFrame,
  PresenceDisabledFrame,
  PresenceEnabledFrame,
  PresenceFrame,
  PresenceState,
  PresenceView,
  ReconnectFrame,
  RoomMember,
  RoomMemberChangedFrame,
  RoomRosterFrame,
  RoomStateFrame,
  ServerFrame,
  ShareAvailability,
  StatusChoice,
  SystemState,
  WorkspaceSettings,
} from './frames.js';

/** Where the gateway serves the device protocol. */
export const PROTOCOL_PATH = '/v1/ws';
