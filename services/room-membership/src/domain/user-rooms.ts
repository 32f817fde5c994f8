import type { RoomFact, RoomState } from './room.js';

/**
 * A user's own view of a room. The notification level is owned by the notification service
 * (`SetNotificationLevel`), so it is passed in; `all` when nobody set one (RULES.md 7).
 */
export type NotificationLevel = 'all' | 'mentions' | 'none';

/** The body of a `room.state` frame, sent to every device of the user (RULES.md 6). */
export interface RoomStateView {
  readonly open: boolean;
  readonly hidden: boolean;
  readonly position: number;
  readonly notificationLevel: NotificationLevel;
  readonly unread: number;
}

/** `undefined` for a non-member: they have no room state to show. */
export function roomStateOf(
  state: RoomState,
  userId: string,
  notificationLevel: NotificationLevel = 'all',
): RoomStateView | undefined {
  const member = state.members.get(userId);
  if (!member) return undefined;
  const { open, hidden, position, unread } = member;
  return { open, hidden, position, notificationLevel, unread };
}

/**
 * The users whose `room.state` a fact changes, so the adapter knows whom to sync: joining (the
 * room opens for them) and their own state changes; leaving or removal ends the room state
 * instead of changing it, so it sends none.
 */
export function roomStateUsersOf(fact: RoomFact): string[] {
  switch (fact.$case) {
    case 'roomCreated':
      return [fact.value.creatorId, ...fact.value.memberIds];
    case 'membersAdded':
      return [...fact.value.userIds];
    case 'roomOpened':
    case 'roomClosed':
    case 'roomHidden':
    case 'roomPositionSet':
    case 'unreadChanged':
      return [fact.value.userId];
    default:
      return [];
  }
}
