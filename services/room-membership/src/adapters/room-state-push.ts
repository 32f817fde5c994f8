import type { NatsConnection } from '@presence/bus';
import { subjects } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import type { RoomFact, RoomState } from '../domain/room.js';
import { roomStateOf, roomStateUsersOf } from '../domain/user-rooms.js';
import type { RoomsLog } from './rooms-log.js';

/** The `room.state` frame (CONTRACT.md) of one user's room. */
export function roomStateFrame(roomId: string, state: RoomState, userId: string): string | null {
  const view = roomStateOf(state, userId);
  if (!view) return null;
  return JSON.stringify({
    type: 'room.state',
    room: roomId,
    open: view.open,
    hidden: view.hidden,
    position: view.position,
    notification_level: view.notificationLevel,
    unread: view.unread,
  });
}

/**
 * Syncs a user's room state to all their devices (RULES.md 6): after facts that change it are
 * appended, their `room.state` goes to `push.v1.user.<user>`, which the gateways holding the
 * user's connections deliver. Joining opens the room, so an invited member's desktop shows it at
 * once; the MembersAdded fact itself is what the notification service turns into a push for their
 * mobile devices.
 */
export function pushRoomStates(deps: {
  readonly nc: NatsConnection;
  readonly rooms: RoomsLog;
  readonly logger: Logger;
}): void {
  deps.rooms.onAppended((roomId: string, facts: readonly RoomFact[], state: RoomState) => {
    const users = new Set(facts.flatMap(roomStateUsersOf));
    for (const user of users) {
      const frame = roomStateFrame(roomId, state, user);
      if (frame === null) continue;
      try {
        deps.nc.publish(subjects.userPush(user), frame);
      } catch (error) {
        deps.logger.warn({ err: error, user, room: roomId }, 'cannot push a room state');
      }
    }
  });
}
