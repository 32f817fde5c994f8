export { partitionOf } from './partition.js';
export { BUCKETS, STREAMS, type StreamName, type StreamSpec } from './streams.js';
export { ALL_USERS_TOKEN, devicePartitionOf, lastToken, subjects } from './subjects.js';
export { descriptorSetBase64 } from './generated/descriptor-set.js';
export {
  CalendarBoundaryReached,
  CalendarBusySet,
  CustomStatusDefined,
  CustomStatusDeleted,
  CustomStatusSelected,
  DeviceActivity,
  DeviceConnected,
  DeviceDisconnected,
  DeviceEvent,
  DeviceGraceExpired,
  DeviceIdleTimedOut,
  DeviceSystemEvent,
  DisconnectReason,
  GatewayHeartbeat,
  GatewayLost,
  ManualStatusSet,
  MeetingPresenceSet,
  PreferencesSet,
  PresenceSwitch,
  ShareAvailability,
  StatusTextExpired,
  StatusTextSet,
  SystemState,
  WorkspaceSettingsChanged,
} from './generated/presence/v1/device.js';
export { DeviceCommand, DeviceCommandResult } from './generated/presence/v1/device_commands.js';
export {
  CreateCustomStatusRequest,
  CreateCustomStatusResponse,
  CustomStatus,
  DeleteCustomStatusRequest,
  DeleteCustomStatusResponse,
  DeviceState,
  Display,
  GetSettingsRequest,
  GetSettingsResponse,
  ListCustomStatusesRequest,
  ListCustomStatusesResponse,
  SetCalendarBusyRequest,
  SetCalendarBusyResponse,
  SetStatusRequest,
  SetStatusResponse,
  UpdateCustomStatusRequest,
  UpdateCustomStatusResponse,
  UpdateSettingsRequest,
  UpdateSettingsResponse,
  WorkspaceSettings,
  WorkspaceState,
  GetPresenceAtRequest,
  GetPresenceAtResponse,
  GetPresenceRequest,
  GetPresenceResponse,
  Platform,
  PlatformState,
  Presence,
  PresenceAdminServiceService,
  PresenceChanged,
  PresenceServiceService,
  PresenceView,
  RebuildProjectionRequest,
  RebuildProjectionResponse,
  WatchPresenceRequest,
  type PresenceAdminServiceServer,
  type PresenceServiceServer,
} from './generated/presence/v1/presence.js';
export { RoomServiceClient, RoomServiceService } from './generated/presence/v1/rooms.js';
export { MeetingServiceClient, MeetingServiceService } from './generated/presence/v1/meetings.js';
export {
  NotificationServiceClient,
  NotificationServiceService,
} from './generated/presence/v1/notifications.js';
export {
  WebhookAdminServiceClient,
  WebhookAdminServiceService,
} from './generated/presence/v1/webhooks.js';
export {
  PresenceAdminServiceClient,
  PresenceServiceClient,
} from './generated/presence/v1/presence.js';
