/**
 * The frames of the device protocol (CONTRACT.md, "Device WebSocket protocol") exactly as they
 * travel: JSON objects with a `type`, fields in snake_case. The SDK hands server frames to
 * listeners as they came, so these types are the wire, not a translation of it.
 */

export type FrameId = string | number;
export type Platform = 'desktop' | 'web' | 'mobile';
/** What a user chose or the aggregator derived; `invisible` is only ever seen on the user's own devices. */
export type PresenceState = 'online' | 'away' | 'busy' | 'invisible' | 'offline';
/** The built-in statuses a device may set (`status.set`). */
export type StatusChoice = 'online' | 'away' | 'busy' | 'invisible';
/** The dot other users see. */
export type Display = 'available' | 'busy' | 'idle' | 'offline' | 'mobile' | 'hidden';
export type DeviceStatus = 'online' | 'away' | 'offline';
export type SystemState = 'locked' | 'unlocked' | 'sleep' | 'wake' | 'background' | 'foreground';
export type ShareAvailability = 'everyone' | 'nobody';
export type AudioMode = 'voip' | 'phone' | 'room_system' | 'none';
export type AttendeeStatus =
  'invited' | 'present' | 'running_late' | 'declined' | 'dropped' | 'left';
export type NotificationLevel = 'all' | 'mentions' | 'none';

/** The view of one user (`presence`, `presence.changed`, `hello.self`). */
export interface PresenceView {
  readonly user: string;
  readonly presence: PresenceState;
  readonly display: Display;
  readonly online: boolean;
  readonly status_text?: string;
  /** ISO 8601, second precision. */
  readonly last_active?: string;
  readonly devices: Readonly<Partial<Record<Platform, DeviceStatus>>>;
  /** Per-user sequence: a view with a lower version than one already seen is stale. */
  readonly version: number;
}

export interface WorkspaceSettings {
  readonly idle_timeout_s: number;
  readonly allow_invisible: boolean;
  readonly allow_custom_status_text: boolean;
  readonly presence_enabled: boolean;
}

export interface HelloFrame {
  readonly type: 'hello';
  readonly session: string;
  readonly user: string;
  readonly device: string;
  readonly settings: WorkspaceSettings;
  readonly self: PresenceView;
}

export interface PresenceFrame extends PresenceView {
  readonly type: 'presence';
}

export interface PresenceChangedFrame extends PresenceView {
  readonly type: 'presence.changed';
}

export interface PresenceDisabledFrame {
  readonly type: 'presence.disabled';
}

export interface PresenceEnabledFrame {
  readonly type: 'presence.enabled';
}

export interface RoomMember {
  readonly user: string;
  readonly kind: 'user' | 'webhook';
  readonly role: 'admin' | 'member';
  readonly present: boolean;
  readonly presence: PresenceState;
}

export interface RoomRosterFrame {
  readonly type: 'room.roster';
  readonly room: string;
  readonly members: readonly RoomMember[];
}

/** CONTRACT.md: "`room`, one member as above", the member's fields beside `room`. */
export interface RoomMemberChangedFrame extends RoomMember {
  readonly type: 'room.member.changed';
  readonly room: string;
}

export interface RoomStateFrame {
  readonly type: 'room.state';
  readonly room: string;
  readonly open: boolean;
  readonly hidden: boolean;
  readonly position: number;
  readonly notification_level: NotificationLevel;
  readonly unread: number;
}

export interface MessageFrame {
  readonly type: 'message';
  readonly room: string;
  readonly message_id: string;
  readonly sender: string;
  readonly sender_name: string;
  readonly content: string;
  readonly mentions: readonly string[];
}

export interface NotificationFrame {
  readonly type: 'notification';
  readonly room: string;
  readonly message_id: string;
  readonly reason: 'mention' | 'all' | 'present' | 'message';
  readonly silent: boolean;
}

export interface MeetingAttendee {
  readonly user: string;
  readonly name: string;
  readonly status: AttendeeStatus;
  readonly audio: AudioMode;
  readonly muted: boolean;
  readonly video: boolean;
  readonly screen_share: boolean;
  readonly viewing_share: boolean;
  readonly presenter: boolean;
  readonly host: boolean;
  readonly weak_connection: boolean;
}

export interface MeetingRosterFrame {
  readonly type: 'meeting.roster';
  readonly meeting: string;
  readonly attendees: readonly MeetingAttendee[];
  readonly locked: boolean;
  readonly event_mode: boolean;
  readonly recording: boolean;
}

/** CONTRACT.md: "`meeting`, one attendee as above", the attendee's fields beside `meeting`. */
export interface MeetingAttendeeChangedFrame extends MeetingAttendee {
  readonly type: 'meeting.attendee.changed';
  readonly meeting: string;
}

/** A gateway drain: come back after `after_ms` (to another gateway). */
export interface ReconnectFrame {
  readonly type: 'reconnect';
  readonly after_ms: number;
  readonly reason?: string;
}

export interface AckFrame {
  readonly type: 'ack';
  readonly id: FrameId;
}

/** A refused frame; `id` is missing when the frame's id could not be read (malformed JSON). */
export interface ErrorFrame {
  readonly type: 'error';
  readonly id?: FrameId;
  readonly code: string;
  readonly message: string;
}

export type ServerFrame =
  | HelloFrame
  | PresenceFrame
  | PresenceChangedFrame
  | PresenceDisabledFrame
  | PresenceEnabledFrame
  | RoomRosterFrame
  | RoomMemberChangedFrame
  | RoomStateFrame
  | MessageFrame
  | NotificationFrame
  | MeetingRosterFrame
  | MeetingAttendeeChangedFrame
  | ReconnectFrame
  | AckFrame
  | ErrorFrame;

export interface MeetingIndicators {
  readonly muted?: boolean;
  readonly video?: boolean;
  readonly screen_share?: boolean;
  readonly viewing_share?: boolean;
}

export interface Preferences {
  readonly idle_timeout_s?: number;
  readonly share_availability?: ShareAvailability;
}

/** Client -> server frames, without the `id` the SDK adds to each. */
export type ClientFrame =
  | { readonly type: 'activity' }
  | { readonly type: 'device'; readonly state: SystemState }
  | { readonly type: 'status.set'; readonly presence: StatusChoice; readonly text?: string }
  | { readonly type: 'status.custom'; readonly custom_status_id: string }
  | { readonly type: 'status.text'; readonly text: string; readonly clear_after_s?: number }
  | ({ readonly type: 'preferences.set' } & Preferences)
  | { readonly type: 'watch' | 'unwatch'; readonly users: readonly string[] }
  | {
      readonly type: 'room.open' | 'room.close' | 'room.hide' | 'room.watch' | 'room.unwatch';
      readonly room: string;
    }
  | { readonly type: 'message.post'; readonly room: string; readonly content: string }
  | { readonly type: 'meeting.join'; readonly meeting: string; readonly audio?: AudioMode }
  | ({ readonly type: 'meeting.update'; readonly meeting: string } & MeetingIndicators)
  | {
      readonly type:
        'meeting.leave' | 'meeting.decline' | 'meeting.late' | 'meeting.watch' | 'meeting.unwatch';
      readonly meeting: string;
    }
  | { readonly type: 'auth.refresh'; readonly token: string }
  | { readonly type: 'goodbye' };

/**
 * Reads one text frame. Only what the SDK dispatches on is checked (an object with a string
 * `type`); the rest is the server's word, and types the SDK does not know are passed over so an
 * older client keeps working against a newer gateway.
 */
export function parseServerFrame(data: unknown): ServerFrame | undefined {
  if (typeof data !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return typeof (value as { type?: unknown }).type === 'string'
    ? (value as ServerFrame)
    : undefined;
}
