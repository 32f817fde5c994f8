import { requireId } from '@presence/domain';

/**
 * Every subject name in one place (STYLE.md 5); durable consumer names join them here when a
 * service first needs one. Ids are validated before they become a subject token, so `.`, `*` or
 * `>` can never forge or widen a subject.
 */

/** Subject token for facts about many users of a partition (GatewayLost); no user id can take it. */
export const ALL_USERS_TOKEN = '~all';

export const subjects = {
  /** A device fact about one user: `device.v1.<partition>.<user>`. */
  device: (partition: number, userId: string) =>
    `device.v1.${partitionToken(partition)}.${requireId('user_id', userId)}`,
  /** A fact about every user of a partition with sessions on a gateway: `device.v1.<partition>.~all`. */
  deviceAllUsers: (partition: number) =>
    `device.v1.${partitionToken(partition)}.${ALL_USERS_TOKEN}`,
  /** All device facts of one partition (consumer filter). */
  devicePartition: (partition: number) => `device.v1.${partitionToken(partition)}.*`,
  /** A user's presence view as others see it: `presence.v1.changed.<user>`. */
  presenceChanged: (userId: string) => `presence.v1.changed.${requireId('user_id', userId)}`,
  /** Every presence change (gateway fan-out subscription). */
  presenceChangedAll: 'presence.v1.changed.>',
  /** A user's own view when it differs from the public one (invisible, hidden): `presence.v1.own.<user>`. */
  presenceOwn: (userId: string) => `presence.v1.own.${requireId('user_id', userId)}`,
  /** Every own-view change (gateway subscription for its connected users). */
  presenceOwnAll: 'presence.v1.own.>',
  /** The workspace settings and custom statuses as gateways need them (last message = current). */
  workspaceState: 'presence.v1.workspace',
  /** The authoritative history of workspace facts (admin changes); copied into every partition. */
  workspaceFacts: 'device.v1.workspace',
  /**
   * Request/reply (core NATS, not stored): GetPresenceAtRequest -> GetPresenceAtResponse, answered
   * by a presence-aggregator from `presence_history` (the gateway's GetPresenceAt).
   */
  presenceAtQuery: 'rpc.v1.presence.at',
  /**
   * Request/reply (core NATS, not stored): DeviceCommand -> DeviceCommandResult, a device's room,
   * message or meeting frame relayed by the gateway, answered by the service that owns it.
   */
  deviceCommand: (kind: 'room' | 'message' | 'meeting') => `rpc.v1.device.${kind}`,
  /**
   * Core NATS, not stored: a ready JSON frame for every connected device of one user (`room.state`
   * from room-membership), delivered by whichever gateway holds them: `push.v1.user.<user>`.
   */
  userPush: (userId: string) => `push.v1.user.${requireId('user_id', userId)}`,
  /** Every user push (gateway subscription for its connected users). */
  userPushAll: 'push.v1.user.>',
  /**
   * Core NATS, not stored: a ready JSON frame for one device session (`room.roster`,
   * `room.member.changed` of the rooms it watches): `push.v1.session.<gateway>.<session>`.
   */
  sessionPush: (gatewayId: string, sessionId: string) =>
    `push.v1.session.${requireId('gateway_id', gatewayId)}.${requireId('session_id', sessionId)}`,
  /** The session pushes of one gateway (its subscription). */
  sessionPushOf: (gatewayId: string) => `push.v1.session.${requireId('gateway_id', gatewayId)}.*`,
  room: (roomId: string) => `room.v1.${requireId('room_id', roomId)}`,
  meeting: (meetingId: string) => `meeting.v1.${requireId('meeting_id', meetingId)}`,
  chat: (roomId: string) => `chat.v1.${requireId('room_id', roomId)}`,
  notify: (userId: string) => `notify.v1.${requireId('user_id', userId)}`,
  webhook: (roomId: string) => `webhook.v1.${requireId('room_id', roomId)}`,
} as const;

/** The user id at the end of a `presence.v1.{changed,own}.<user>` or `device.v1.<p>.<user>` subject. */
export function lastToken(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}

/** The partition of a `device.v1.<partition>.<user>` subject, or NaN for any other subject. */
export function devicePartitionOf(subject: string): number {
  // Read for every event by the aggregator's reader: digits by hand, no regular expression.
  const start = DEVICE_PREFIX.length;
  if (!subject.startsWith(DEVICE_PREFIX)) return Number.NaN;
  let partition = 0;
  let at = start;
  for (; at < subject.length && at - start < 6; at++) {
    const digit = subject.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) break;
    partition = partition * 10 + digit;
  }
  return at > start && subject.charCodeAt(at) === 46 ? partition : Number.NaN;
}

const DEVICE_PREFIX = 'device.v1.';

function partitionToken(partition: number): string {
  if (!Number.isInteger(partition) || partition < 0) {
    throw new RangeError(`partition must be a non-negative integer, got ${partition}`);
  }
  return String(partition);
}
