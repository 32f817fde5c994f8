import { ConflictError, requireId } from '@presence/domain';
import type { RoomFact, RoomState } from './room.js';
import {
  refuseIfOnlyAdmin,
  requireActor,
  requireAdmin,
  requireMember,
  requireRoom,
} from './room-guards.js';
import { requireIdList, requireName, requirePolicy, requireRole } from './room-input.js';

/**
 * Membership deciders (RULES.md 6): each returns the facts to append, or throws a DomainError
 * and appends nothing. A command that would change nothing returns `[]` (set the role a member
 * already has, add a webhook already there): retries and redeliveries are harmless.
 */

/** RULES.md 6: joining opens the room (room.ts folds it), so no RoomOpened per member. */

export interface CreateRoom {
  readonly name: string;
  readonly creatorId: string;
  readonly memberIds: readonly string[];
}

/** The creator is the admin, the others members; the room opens for all of them. */
export function createRoom(state: RoomState, command: CreateRoom): RoomFact[] {
  if (state.created) {
    throw new ConflictError('room_exists', 'room_id: the room already exists', 'room_id');
  }
  const name = requireName('name', command.name);
  const creatorId = requireId('creator_id', command.creatorId);
  const memberIds = command.memberIds.length
    ? requireIdList('member_ids', command.memberIds).filter((id) => id !== creatorId)
    : [];
  return [{ $case: 'roomCreated', value: { name, creatorId, memberIds, invitePolicy: 'admins' } }];
}

export interface AddMembers {
  readonly actorId: string;
  readonly userIds: readonly string[];
}

/**
 * All or nothing: one id already in the room refuses the whole call, naming every such id, so a
 * caller never has to guess which part was applied.
 */
export function addMembers(state: RoomState, command: AddMembers): RoomFact[] {
  requireRoom(state);
  const userIds = requireIdList('user_ids', command.userIds);
  if (state.invitePolicy === 'admins') {
    requireAdmin(state, command.actorId, 'add members (invite policy admins)');
  } else {
    requireActor(state, command.actorId);
  }
  const already = userIds.filter((id) => state.members.has(id));
  if (already.length > 0) {
    throw new ConflictError(
      'already_member',
      `user_ids: already a member: ${already.join(', ')}`,
      'user_ids',
    );
  }
  return [{ $case: 'membersAdded', value: { userIds } }];
}

export interface RemoveMember {
  readonly actorId: string;
  readonly userId: string;
}

export function removeMember(state: RoomState, command: RemoveMember): RoomFact[] {
  requireRoom(state);
  requireAdmin(state, command.actorId, 'remove members');
  requireMember(state, command.userId);
  refuseIfOnlyAdmin(state, command.userId, 'be removed');
  return [{ $case: 'memberRemoved', value: { userId: command.userId } }];
}

export interface LeaveRoom {
  readonly userId: string;
}

/** Leaving twice is `not_member`: a user who left must be re-invited (RULES.md 6). */
export function leaveRoom(state: RoomState, command: LeaveRoom): RoomFact[] {
  requireRoom(state);
  requireMember(state, command.userId);
  refuseIfOnlyAdmin(state, command.userId, 'leave');
  return [{ $case: 'memberLeft', value: { userId: command.userId } }];
}

export interface SetRole {
  readonly actorId: string;
  readonly userId: string;
  /** Raw from the edge: anything but admin or member is `invalid_role`. */
  readonly role: string;
}

export function setRole(state: RoomState, command: SetRole): RoomFact[] {
  requireRoom(state);
  const role = requireRole(command.role);
  requireAdmin(state, command.actorId, 'set roles');
  const target = requireMember(state, command.userId);
  if (target.role === role) return [];
  if (role === 'member') refuseIfOnlyAdmin(state, command.userId, 'be demoted');
  return [{ $case: 'roleSet', value: { userId: command.userId, role } }];
}

export interface SetInvitePolicy {
  readonly actorId: string;
  /** Raw from the edge: anything but admins or all_members is `invalid_policy`. */
  readonly policy: string;
}

export function setInvitePolicy(state: RoomState, command: SetInvitePolicy): RoomFact[] {
  requireRoom(state);
  const policy = requirePolicy(command.policy);
  requireAdmin(state, command.actorId, 'set the invite policy');
  if (state.invitePolicy === policy) return [];
  return [{ $case: 'invitePolicySet', value: { policy } }];
}

export interface AddWebhookMember {
  readonly webhookId: string;
  readonly name: string;
}

/**
 * Called by the webhook service, which has already checked its own actor; its events arrive at
 * least once, so the same webhook with the same name again is a no-op. A different name for a
 * known id is refused rather than silently renaming it.
 */
export function addWebhookMember(state: RoomState, command: AddWebhookMember): RoomFact[] {
  requireRoom(state);
  const webhookId = requireId('webhook_id', command.webhookId);
  const name = requireName('name', command.name);
  const known = state.webhooks.get(webhookId);
  if (known === name) return [];
  if (known !== undefined) {
    throw new ConflictError(
      'webhook_exists',
      `webhook_id: ${webhookId} is already in the room as ${JSON.stringify(known)}`,
      'webhook_id',
    );
  }
  return [{ $case: 'webhookMemberAdded', value: { webhookId, name } }];
}

export interface RemoveWebhookMember {
  readonly webhookId: string;
}

/** Removing a webhook that is not there is a no-op (a redelivered WebhookDeleted). */
export function removeWebhookMember(state: RoomState, command: RemoveWebhookMember): RoomFact[] {
  requireRoom(state);
  const webhookId = requireId('webhook_id', command.webhookId);
  if (!state.webhooks.has(webhookId)) return [];
  return [{ $case: 'webhookMemberRemoved', value: { webhookId } }];
}
