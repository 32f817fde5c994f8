import type { CustomStatus, WorkspaceSettings } from './workspace.js';

/**
 * Facts of the device-event log as the domain sees them (the codec converts from protobuf).
 * `seq` is the fact's position in DEVICE_EVENTS and becomes the presence version; `at` is when it
 * happened (RFC 3339). Time only ever enters the domain this way.
 */
export type Platform = 'desktop' | 'web' | 'mobile';
export type DisconnectReason = 'goodbye' | 'abnormal' | 'gateway_drain';
export type SystemState = 'locked' | 'unlocked' | 'sleep' | 'wake' | 'background' | 'foreground';
/** A built-in presence a user can choose (RULES.md 2); `online` returns to automatic. */
export type ChosenPresence = 'online' | 'away' | 'busy' | 'invisible';
export type ShareAvailability = 'everyone' | 'nobody';

interface FactBase {
  readonly seq: number;
  readonly at: string;
}

interface UserFactBase extends FactBase {
  readonly userId: string;
}

interface DeviceRef {
  readonly deviceId: string;
  readonly sessionId: string;
}

export interface DeviceConnected extends UserFactBase, DeviceRef {
  readonly type: 'DeviceConnected';
  readonly platform: Platform;
  readonly gatewayId: string;
}

export interface DeviceDisconnected extends UserFactBase, DeviceRef {
  readonly type: 'DeviceDisconnected';
  readonly reason: DisconnectReason;
}

export interface DeviceActivity extends UserFactBase, DeviceRef {
  readonly type: 'DeviceActivity';
}

export interface DeviceSystemEvent extends UserFactBase, DeviceRef {
  readonly type: 'DeviceSystemEvent';
  readonly state: SystemState;
}

/** Timer fact: the idle timeout elapsed since the activity at `activitySeq`. */
export interface DeviceIdleTimedOut extends UserFactBase, DeviceRef {
  readonly type: 'DeviceIdleTimedOut';
  readonly activitySeq: number;
}

/** Timer fact: the reconnect grace after the close at `disconnectedSeq` elapsed. */
export interface DeviceGraceExpired extends UserFactBase, DeviceRef {
  readonly type: 'DeviceGraceExpired';
  readonly disconnectedSeq: number;
}

export interface ManualStatusSet extends UserFactBase {
  readonly type: 'ManualStatusSet';
  readonly presence: ChosenPresence;
  /** The text chosen with it; null clears the text (a built-in choice). */
  readonly text: string | null;
}

export interface StatusTextSet extends UserFactBase {
  readonly type: 'StatusTextSet';
  /** Empty clears. */
  readonly text: string;
  /** Seconds until the text clears itself; 0 keeps it. */
  readonly clearAfterS: number;
}

/** Timer fact: the text set at `setSeq` reached its `clear_after`. */
export interface StatusTextExpired extends UserFactBase {
  readonly type: 'StatusTextExpired';
  readonly setSeq: number;
}

export interface CustomStatusSelected extends UserFactBase {
  readonly type: 'CustomStatusSelected';
  readonly customStatusId: string;
}

/** Per-user preferences; null keeps the current value. */
export interface PreferencesSet extends UserFactBase {
  readonly type: 'PreferencesSet';
  /** 0 returns to the workspace default. */
  readonly idleTimeoutS: number | null;
  readonly shareAvailability: ShareAvailability | null;
}

export interface CalendarBusySet extends UserFactBase {
  readonly type: 'CalendarBusySet';
  readonly calendarEventId: string;
  readonly start: string;
  readonly end: string;
}

/** Timer fact: the start (`started`) or end of a calendar event, at `boundary`, was reached. */
export interface CalendarBoundaryReached extends UserFactBase {
  readonly type: 'CalendarBoundaryReached';
  readonly calendarEventId: string;
  readonly started: boolean;
  readonly boundary: string;
}

/** The user became a present attendee of a meeting, or stopped being one (RULES.md 2.6). */
export interface MeetingPresenceSet extends UserFactBase {
  readonly type: 'MeetingPresenceSet';
  readonly meetingId: string;
  readonly present: boolean;
}

export type UserFact =
  | DeviceConnected
  | DeviceDisconnected
  | DeviceActivity
  | DeviceSystemEvent
  | DeviceIdleTimedOut
  | DeviceGraceExpired
  | ManualStatusSet
  | StatusTextSet
  | StatusTextExpired
  | CustomStatusSelected
  | PreferencesSet
  | CalendarBusySet
  | CalendarBoundaryReached
  | MeetingPresenceSet;

/** A gateway instance stopped heart-beating: its connections are gone (a partition-wide fact). */
export interface GatewayLost extends FactBase {
  readonly type: 'GatewayLost';
  readonly gatewayId: string;
}

/**
 * Workspace facts are copied into every partition, so each partition folds them at a definite
 * point of its own order. `revision` numbers them 1, 2, 3... in the workspace history.
 */
interface WorkspaceFactBase extends FactBase {
  readonly revision: number;
}

export interface WorkspaceSettingsChanged extends WorkspaceFactBase {
  readonly type: 'WorkspaceSettingsChanged';
  readonly settings: WorkspaceSettings;
  /** Who switched presence off or on, when this change did: the cap decides on its own. */
  readonly switchedBy: 'admin' | 'cap' | null;
}

export interface CustomStatusDefined extends WorkspaceFactBase {
  readonly type: 'CustomStatusDefined';
  readonly status: CustomStatus;
}

export interface CustomStatusDeleted extends WorkspaceFactBase {
  readonly type: 'CustomStatusDeleted';
  readonly customStatusId: string;
}

export type WorkspaceFact = WorkspaceSettingsChanged | CustomStatusDefined | CustomStatusDeleted;
export type PartitionFact = GatewayLost | WorkspaceFact;

/** A fact of the log this version of the aggregator does not act on (kept for replays). */
export interface OtherFact extends FactBase {
  readonly type: 'Other';
  readonly name: string;
}

export type Fact = UserFact | PartitionFact | OtherFact;

export function isUserFact(fact: Fact): fact is UserFact {
  return 'userId' in fact;
}
