import type { RoomFact, RoomState } from './room.js';
import { requireMember, requireRoom } from './room-guards.js';
import { requireDeviceId, requireUint32 } from './room-input.js';

/**
 * Per-user room state (RULES.md 6): open, hidden, position and unread belong to the user, not to
 * a device, so one fact from any device changes what all of them show. Only members have it: a
 * non-member is `not_member` (ConflictError), like leaving twice.
 *
 * Idempotent: a command that would change nothing returns `[]` (open an open room from a second
 * device, close a closed one, hide a hidden one), so the log holds changes only and a `room.state`
 * frame is sent only when something changed.
 */
export interface RoomDeviceCommand {
  readonly userId: string;
  /** Empty when the system acts (a mention opens the room, RULES.md 7). */
  readonly deviceId: string;
}

/** Opening a hidden room un-hides it. */
export function openRoom(state: RoomState, command: RoomDeviceCommand): RoomFact[] {
  const { member, userId, deviceId } = checked(state, command);
  if (member.open) return [];
  return [{ $case: 'roomOpened', value: { userId, deviceId } }];
}

/** Closing a hidden room changes nothing: it is closed already and stays hidden. */
export function closeRoom(state: RoomState, command: RoomDeviceCommand): RoomFact[] {
  const { member, userId, deviceId } = checked(state, command);
  if (!member.open) return [];
  return [{ $case: 'roomClosed', value: { userId, deviceId } }];
}

/** Hiding closes the room on all the user's devices too (RULES.md 6). */
export function hideRoom(state: RoomState, command: RoomDeviceCommand): RoomFact[] {
  const { member, userId, deviceId } = checked(state, command);
  if (member.hidden) return [];
  return [{ $case: 'roomHidden', value: { userId, deviceId } }];
}

function checked(state: RoomState, command: RoomDeviceCommand) {
  requireRoom(state);
  const member = requireMember(state, command.userId);
  const deviceId = requireDeviceId(command.deviceId);
  return { member, userId: command.userId, deviceId };
}

export interface SetPosition {
  readonly userId: string;
  /** The room's place in the user's room list. */
  readonly position: number;
}

export function setPosition(state: RoomState, command: SetPosition): RoomFact[] {
  requireRoom(state);
  const position = requireUint32('position', command.position);
  const member = requireMember(state, command.userId);
  if (member.position === position) return [];
  return [{ $case: 'roomPositionSet', value: { userId: command.userId, position } }];
}

export interface SetUnread {
  readonly userId: string;
  /** The new count (0 marks the room read). */
  readonly unread: number;
}

export function setUnread(state: RoomState, command: SetUnread): RoomFact[] {
  requireRoom(state);
  const unread = requireUint32('unread', command.unread);
  const member = requireMember(state, command.userId);
  if (member.unread === unread) return [];
  return [{ $case: 'unreadChanged', value: { userId: command.userId, unread } }];
}
