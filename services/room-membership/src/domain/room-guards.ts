import { ConflictError, ForbiddenError, NotFoundError, requireId } from '@presence/domain';
import { adminCount, type Member, type RoomState } from './room.js';

/**
 * The refusals shared by the deciders. Two families, kept apart on purpose:
 * - the actor acting on others (add, remove, set role, set policy) lacks a right: ForbiddenError
 *   (`actor_not_member`, `admin_only`) on `actor_id`;
 * - the user named by the command is not in the state it needs (leave, open, close, hide,
 *   position, unread, or the target of remove / set role): ConflictError (`not_member`,
 *   `already_member`, `only_admin`) on `user_id` / `user_ids`.
 */

/** The adapter answers NOT_FOUND for an unknown room first; this only guards a fresh state. */
export function requireRoom(state: RoomState): void {
  if (!state.created) {
    throw new NotFoundError('room_not_found', 'room_id: no such room', 'room_id');
  }
}

export function requireActor(state: RoomState, actorId: string): Member {
  const id = requireId('actor_id', actorId);
  const member = state.members.get(id);
  if (!member) {
    throw new ForbiddenError(
      'actor_not_member',
      `actor_id: ${id} is not a member of the room`,
      'actor_id',
    );
  }
  return member;
}

export function requireAdmin(state: RoomState, actorId: string, action: string): void {
  if (requireActor(state, actorId).role !== 'admin') {
    throw new ForbiddenError('admin_only', `actor_id: only admins may ${action}`, 'actor_id');
  }
}

export function requireMember(state: RoomState, userId: string): Member {
  const id = requireId('user_id', userId);
  const member = state.members.get(id);
  if (!member) {
    throw new ConflictError('not_member', `user_id: ${id} is not a member of the room`, 'user_id');
  }
  return member;
}

/** RULES.md 6: the only admin cannot stop being one (leave, removal, demotion). */
export function refuseIfOnlyAdmin(state: RoomState, userId: string, action: string): void {
  if (state.members.get(userId)?.role === 'admin' && adminCount(state) === 1) {
    throw new ConflictError(
      'only_admin',
      `user_id: ${userId} is the only admin and cannot ${action}; make another member admin first`,
      'user_id',
    );
  }
}
