import type { CloseInfo, ConnectionState } from './connection.js';
import type { PresenceError } from './errors.js';
import type {
  AudioMode,
  HelloFrame,
  MeetingAttendeeChangedFrame,
  MeetingIndicators,
  MeetingRosterFrame,
  MessageFrame,
  NotificationFrame,
  Preferences,
  PresenceChangedFrame,
  PresenceDisabledFrame,
  PresenceEnabledFrame,
  PresenceFrame,
  PresenceView,
  ReconnectFrame,
  RoomMemberChangedFrame,
  RoomRosterFrame,
  RoomStateFrame,
  StatusChoice,
  SystemState,
} from './frames.js';

/** What `on(event, listener)` passes to the listener of each event. */
export interface PresenceClientEvents {
  hello: HelloFrame;
  presence: PresenceFrame;
  'presence.changed': PresenceChangedFrame;
  'presence.disabled': PresenceDisabledFrame;
  'presence.enabled': PresenceEnabledFrame;
  'room.roster': RoomRosterFrame;
  'room.member.changed': RoomMemberChangedFrame;
  'room.state': RoomStateFrame;
  message: MessageFrame;
  notification: NotificationFrame;
  'meeting.roster': MeetingRosterFrame;
  'meeting.attendee.changed': MeetingAttendeeChangedFrame;
  /** The gateway is draining; the client reconnects after `after_ms` plus jitter by itself. */
  reconnect: ReconnectFrame;
  /** A problem no request promise reports: an `error` frame without an id, a failed watch restore. */
  error: PresenceError;
  /** A session is open (`hello` received); `reconnected` after the first. */
  open: { readonly session: string; readonly reconnected: boolean };
  close: CloseInfo;
  state: ConnectionState;
}

export type PresenceClientEvent = keyof PresenceClientEvents;

/**
 * A device's connection to the gateway. Every command sends one frame with a fresh `id` and
 * resolves on its `ack`; it rejects with a `PresenceError`: the gateway's `code` and `message`
 * for a refused frame, `timeout`, `disconnected` (the socket closed before the answer: the frame
 * may or may not have taken effect) or `closed`. A command made while no session is open waits
 * and goes out after the next `hello`.
 */
export interface PresenceClient {
  readonly state: ConnectionState;
  /** The `hello` of the current or last session: user, device, workspace settings. */
  readonly hello: HelloFrame | undefined;
  on<K extends PresenceClientEvent>(
    event: K,
    listener: (payload: PresenceClientEvents[K]) => void,
  ): () => void;
  /** The latest view of a watched user (or of the client's own user), if one arrived. */
  presenceOf(user: string): PresenceView | undefined;
  /**
   * Watches users: a `presence` event for each (its snapshot, before the promise resolves), then
   * `presence.changed` on every change. Kept across reconnects, also after a `disconnected`
   * rejection; forgotten when the gateway refuses it.
   */
  watch(users: readonly string[]): Promise<void>;
  unwatch(users: readonly string[]): Promise<void>;
  setStatus(presence: StatusChoice, text?: string): Promise<void>;
  setCustomStatus(customStatusId: string): Promise<void>;
  setStatusText(text: string, clearAfterS?: number): Promise<void>;
  setPreferences(preferences: Preferences): Promise<void>;
  activity(): Promise<void>;
  deviceState(state: SystemState): Promise<void>;
  openRoom(room: string): Promise<void>;
  closeRoom(room: string): Promise<void>;
  hideRoom(room: string): Promise<void>;
  /** `room.roster`, then `room.member.changed`; kept across reconnects like `watch`. */
  watchRoom(room: string): Promise<void>;
  unwatchRoom(room: string): Promise<void>;
  postMessage(room: string, content: string): Promise<void>;
  joinMeeting(meeting: string, audio?: AudioMode): Promise<void>;
  leaveMeeting(meeting: string): Promise<void>;
  declineMeeting(meeting: string): Promise<void>;
  lateForMeeting(meeting: string): Promise<void>;
  updateMeeting(meeting: string, indicators: MeetingIndicators): Promise<void>;
  /** `meeting.roster`, then `meeting.attendee.changed`; kept across reconnects like `watch`. */
  watchMeeting(meeting: string): Promise<void>;
  unwatchMeeting(meeting: string): Promise<void>;
  /** Sends `auth.refresh` with `token`, or with a fresh one from the token function. */
  refreshToken(token?: string): Promise<void>;
  /** Says `goodbye` (the device goes offline at once), closes, and never reconnects. */
  close(): Promise<void>;
}
