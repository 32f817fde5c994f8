import type {
  CustomStatus as PbCustomStatus,
  WorkspaceSettings as PbWorkspaceSettings,
} from '@presence/contracts';
import {
  ALL_USERS_TOKEN,
  DeviceEvent,
  DeviceState,
  Display,
  DisconnectReason,
  Platform as PbPlatform,
  Presence,
  PresenceChanged,
  PresenceSwitch,
  type PresenceView as PbView,
  ShareAvailability,
  SystemState as PbSystemState,
  lastToken,
  subjects,
} from '@presence/contracts';
import { isValidId } from '@presence/domain';
import type { BusMessage } from '@presence/bus';
import type {
  ChosenPresence,
  DisconnectReason as Reason,
  Fact,
  Platform,
  SystemState,
} from '../domain/facts.js';
import type { PresenceChange } from '../domain/record.js';
import type { TimerFact } from '../domain/timers.js';
import type { DisplayName, PresenceName, PresenceView } from '../domain/views.js';
import type { CustomStatus, CustomStatusPresence, WorkspaceSettings } from '../domain/workspace.js';

/** The only place that converts between protobuf and the aggregator's domain types. */

export type Decoded =
  { readonly ok: true; readonly fact: Fact } | { readonly ok: false; readonly reason: string };

type Body = NonNullable<DeviceEvent['event']>;

const PLATFORMS: Partial<Record<PbPlatform, Platform>> = {
  [PbPlatform.PLATFORM_DESKTOP]: 'desktop',
  [PbPlatform.PLATFORM_WEB]: 'web',
  [PbPlatform.PLATFORM_MOBILE]: 'mobile',
};

const REASONS: Partial<Record<DisconnectReason, Reason>> = {
  [DisconnectReason.DISCONNECT_REASON_GOODBYE]: 'goodbye',
  [DisconnectReason.DISCONNECT_REASON_ABNORMAL]: 'abnormal',
  [DisconnectReason.DISCONNECT_REASON_GATEWAY_DRAIN]: 'gateway_drain',
};

const SYSTEM_STATES: Partial<Record<PbSystemState, SystemState>> = {
  [PbSystemState.SYSTEM_STATE_LOCKED]: 'locked',
  [PbSystemState.SYSTEM_STATE_UNLOCKED]: 'unlocked',
  [PbSystemState.SYSTEM_STATE_SLEEP]: 'sleep',
  [PbSystemState.SYSTEM_STATE_WAKE]: 'wake',
  [PbSystemState.SYSTEM_STATE_BACKGROUND]: 'background',
  [PbSystemState.SYSTEM_STATE_FOREGROUND]: 'foreground',
};

const CHOSEN: Partial<Record<Presence, ChosenPresence>> = {
  [Presence.PRESENCE_ONLINE]: 'online',
  [Presence.PRESENCE_AWAY]: 'away',
  [Presence.PRESENCE_BUSY]: 'busy',
  [Presence.PRESENCE_INVISIBLE]: 'invisible',
};

/** Custom statuses map OFFLINE to invisible (RULES.md 3); INVISIBLE is accepted as a synonym. */
export function customStatusPresenceOf(presence: Presence): CustomStatusPresence | undefined {
  return presence === Presence.PRESENCE_OFFLINE ? 'invisible' : CHOSEN[presence];
}

const USER_CASES = new Set<Body['$case']>([
  'deviceConnected',
  'deviceDisconnected',
  'deviceActivity',
  'deviceSystemEvent',
  'deviceIdleTimedOut',
  'deviceGraceExpired',
  'manualStatusSet',
  'statusTextSet',
  'statusTextExpired',
  'customStatusSelected',
  'preferencesSet',
  'calendarBusySet',
  'calendarBoundaryReached',
  'meetingPresenceSet',
]);

/** What decoding reads of a stored message (the sequence as a bigint or a number). */
export type FactMessage = Pick<BusMessage, 'subject' | 'data' | 'storedAt'> & {
  readonly seq: bigint | number;
};

/**
 * Decodes a DEVICE_EVENTS message: a user's fact on `device.v1.<p>.<user>`, or a partition-wide
 * fact on `device.v1.<p>.~all` / `device.v1.workspace`. A fact the log cannot mean is reported,
 * never guessed.
 */
export function decodeFact(message: FactMessage): Decoded {
  let event: DeviceEvent;
  try {
    event = DeviceEvent.decode(message.data);
  } catch (error) {
    return fail(`undecodable DeviceEvent: ${(error as Error).message}`);
  }
  const body = event.event;
  if (body === undefined) return fail('DeviceEvent without an event');
  // ts-proto already renders a Timestamp as an RFC 3339 string in UTC.
  const at = event.occurredAt ?? message.storedAt.toISOString();
  const base = { seq: Number(message.seq), at };
  const token = lastToken(message.subject);
  const forAll = token === ALL_USERS_TOKEN || message.subject === subjects.workspaceFacts;
  if (USER_CASES.has(body.$case)) {
    if (forAll || !isValidId(event.userId) || event.userId !== token) {
      return fail(
        `user_id ${JSON.stringify(event.userId)} does not match subject ${message.subject}`,
      );
    }
    return decodeUserFact({ seq: base.seq, at, userId: event.userId }, body);
  }
  if (!forAll) return fail(`${body.$case} is a partition-wide fact on ${message.subject}`);
  return decodePartitionFact(base, body);
}

type Base = { readonly seq: number; readonly at: string };
type UserBase = Base & { readonly userId: string };

function decodeUserFact(base: UserBase, body: Body): Decoded {
  // The device facts are nine in ten: built field by field, without intermediate objects.
  const { seq, at, userId } = base;
  switch (body.$case) {
    case 'deviceConnected': {
      const { deviceId, sessionId, gatewayId } = body.value;
      const platform = PLATFORMS[body.value.platform];
      if (!platform) return fail(`unknown platform ${body.value.platform}`);
      return ok({
        seq,
        at,
        userId,
        type: 'DeviceConnected',
        deviceId,
        sessionId,
        platform,
        gatewayId,
      });
    }
    case 'deviceDisconnected': {
      const { deviceId, sessionId } = body.value;
      const reason = REASONS[body.value.reason];
      if (!reason) return fail(`unknown disconnect reason ${body.value.reason}`);
      return ok({ seq, at, userId, type: 'DeviceDisconnected', deviceId, sessionId, reason });
    }
    case 'deviceActivity': {
      const { deviceId, sessionId } = body.value;
      return ok({ seq, at, userId, type: 'DeviceActivity', deviceId, sessionId });
    }
    case 'deviceSystemEvent': {
      const { deviceId, sessionId } = body.value;
      const state = SYSTEM_STATES[body.value.state];
      if (!state) return fail(`unknown system state ${body.value.state}`);
      return ok({ seq, at, userId, type: 'DeviceSystemEvent', deviceId, sessionId, state });
    }
    case 'deviceIdleTimedOut':
      return ok({
        ...base,
        type: 'DeviceIdleTimedOut',
        ...ref(body.value),
        activitySeq: Number(body.value.activitySeq),
      });
    case 'deviceGraceExpired':
      return ok({
        ...base,
        type: 'DeviceGraceExpired',
        ...ref(body.value),
        disconnectedSeq: Number(body.value.disconnectedSeq),
      });
    case 'manualStatusSet': {
      const presence = CHOSEN[body.value.presence];
      if (!presence) return fail(`unknown presence ${body.value.presence}`);
      return ok({ ...base, type: 'ManualStatusSet', presence, text: body.value.text ?? null });
    }
    case 'statusTextSet':
      return ok({
        ...base,
        type: 'StatusTextSet',
        text: body.value.text,
        clearAfterS: body.value.clearAfterS,
      });
    case 'statusTextExpired':
      return ok({ ...base, type: 'StatusTextExpired', setSeq: Number(body.value.setSeq) });
    case 'customStatusSelected':
      return ok({
        ...base,
        type: 'CustomStatusSelected',
        customStatusId: body.value.customStatusId,
      });
    case 'preferencesSet':
      return ok({
        ...base,
        type: 'PreferencesSet',
        idleTimeoutS: body.value.idleTimeoutS ?? null,
        shareAvailability:
          body.value.shareAvailability === ShareAvailability.SHARE_AVAILABILITY_NOBODY
            ? 'nobody'
            : body.value.shareAvailability === ShareAvailability.SHARE_AVAILABILITY_EVERYONE
              ? 'everyone'
              : null,
      });
    case 'calendarBusySet': {
      const { start, end } = body.value;
      if (!validTime(start) || !validTime(end) || Date.parse(start) >= Date.parse(end)) {
        return fail(`calendar event needs start < end, got ${start} and ${end}`);
      }
      return ok({
        ...base,
        type: 'CalendarBusySet',
        calendarEventId: body.value.calendarEventId,
        start: iso(start),
        end: iso(end),
      });
    }
    case 'calendarBoundaryReached': {
      const { boundary } = body.value;
      if (!validTime(boundary)) return fail(`invalid calendar boundary ${boundary}`);
      return ok({
        ...base,
        type: 'CalendarBoundaryReached',
        calendarEventId: body.value.calendarEventId,
        started: body.value.started,
        boundary: iso(boundary),
      });
    }
    case 'meetingPresenceSet':
      return ok({
        ...base,
        type: 'MeetingPresenceSet',
        meetingId: body.value.meetingId,
        present: body.value.present,
      });
    default:
      return fail(`${body.$case} is not a user fact`);
  }
}

function decodePartitionFact(base: Base, body: Body): Decoded {
  switch (body.$case) {
    case 'gatewayLost':
      return ok({ ...base, type: 'GatewayLost', gatewayId: body.value.gatewayId });
    case 'workspaceSettingsChanged': {
      if (!body.value.settings) return fail('WorkspaceSettingsChanged without settings');
      const switchedBy =
        body.value.switchedBy === PresenceSwitch.PRESENCE_SWITCH_ADMIN
          ? 'admin'
          : body.value.switchedBy === PresenceSwitch.PRESENCE_SWITCH_CAP
            ? 'cap'
            : null;
      return ok({
        ...base,
        type: 'WorkspaceSettingsChanged',
        settings: settingsOf(body.value.settings),
        switchedBy,
        revision: Number(body.value.revision),
      });
    }
    case 'customStatusDefined': {
      const status = body.value.customStatus && customStatusOf(body.value.customStatus);
      if (!status) return fail('CustomStatusDefined without a valid custom status');
      return ok({
        ...base,
        type: 'CustomStatusDefined',
        status,
        revision: Number(body.value.revision),
      });
    }
    case 'customStatusDeleted':
      return ok({
        ...base,
        type: 'CustomStatusDeleted',
        customStatusId: body.value.customStatusId,
        revision: Number(body.value.revision),
      });
    default:
      // Facts a newer producer adds are kept in the log and skipped here.
      return ok({ ...base, type: 'Other', name: body.$case });
  }
}

const ok = (fact: Fact): Decoded => ({ ok: true, fact });
const fail = (reason: string): Decoded => ({ ok: false, reason });
const ref = (value: { deviceId: string; sessionId: string }) => ({
  deviceId: value.deviceId,
  sessionId: value.sessionId,
});
const validTime = (value: string | undefined): value is string =>
  value !== undefined && !Number.isNaN(Date.parse(value));
const iso = (value: string) => new Date(value).toISOString();

export function settingsOf(pb: PbWorkspaceSettings): WorkspaceSettings {
  return {
    idleTimeoutS: pb.idleTimeoutS,
    allowInvisible: pb.allowInvisible,
    allowCustomStatusText: pb.allowCustomStatusText,
    presenceEnabled: pb.presenceEnabled,
    maxConnections: pb.maxConnections,
    meetingSetsBusy: pb.meetingSetsBusy,
    reconnectGraceS: pb.reconnectGraceS,
    autoReenableBelow: pb.autoReenableBelow,
  };
}

export function settingsToPb(settings: WorkspaceSettings): PbWorkspaceSettings {
  return { ...settings };
}

export function customStatusOf(pb: PbCustomStatus): CustomStatus | undefined {
  const presence = customStatusPresenceOf(pb.presence);
  return presence && { id: pb.id, name: pb.name, presence };
}

export function customStatusToPb(status: CustomStatus): PbCustomStatus {
  return {
    id: status.id,
    name: status.name,
    presence:
      status.presence === 'invisible' ? Presence.PRESENCE_OFFLINE : PRESENCE[status.presence],
  };
}

/** The DeviceEvent body of a timer fact (the aggregator appends it when it is due). */
export function timerBody(fact: TimerFact): Body {
  switch (fact.type) {
    case 'DeviceIdleTimedOut':
      return {
        $case: 'deviceIdleTimedOut',
        value: { ...ref(fact), activitySeq: String(fact.activitySeq) },
      };
    case 'DeviceGraceExpired':
      return {
        $case: 'deviceGraceExpired',
        value: { ...ref(fact), disconnectedSeq: String(fact.disconnectedSeq) },
      };
    case 'StatusTextExpired':
      return { $case: 'statusTextExpired', value: { setSeq: String(fact.setSeq) } };
    case 'CalendarBoundaryReached':
      return {
        $case: 'calendarBoundaryReached',
        value: {
          calendarEventId: fact.calendarEventId,
          started: fact.started,
          boundary: fact.boundary,
        },
      };
  }
}

const PRESENCE: Record<PresenceName, Presence> = {
  online: Presence.PRESENCE_ONLINE,
  away: Presence.PRESENCE_AWAY,
  busy: Presence.PRESENCE_BUSY,
  offline: Presence.PRESENCE_OFFLINE,
  invisible: Presence.PRESENCE_INVISIBLE,
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

/** The PresenceChanged message of a change (public or own view). */
export function encodePresenceChanged(change: PresenceChange): Uint8Array {
  return PresenceChanged.encode({
    view: encodeView(change.userId, change.view, change.version),
    changedAt: change.changedAt,
  }).finish();
}

/** A view as protobuf; null is a user never seen (offline, version 0). */
export function encodeView(userId: string, view: PresenceView | null, version: number): PbView {
  if (view === null) {
    return {
      userId,
      presence: Presence.PRESENCE_OFFLINE,
      display: Display.DISPLAY_OFFLINE,
      online: false,
      devices: [],
      version: '0',
    };
  }
  return {
    userId,
    presence: PRESENCE[view.presence],
    display: DISPLAY[view.display],
    online: view.online,
    statusText: view.statusText ?? undefined,
    lastActive: view.lastActive ?? undefined,
    devices: Object.entries(view.devices).map(([platform, state]) => ({
      platform: PB_PLATFORM[platform as Platform],
      state: state === 'online' ? DeviceState.DEVICE_STATE_ONLINE : DeviceState.DEVICE_STATE_AWAY,
    })),
    version: String(version),
  };
}
