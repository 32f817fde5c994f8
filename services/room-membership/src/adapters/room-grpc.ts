import { randomUUID } from 'node:crypto';
import {
  NotificationLevel,
  RoomServiceService,
  type RoomServiceServer,
  type RosterUpdate,
  type UserRoom as PbUserRoom,
} from '@presence/contracts';
import { requireId } from '@presence/domain';
import {
  toGrpcError,
  unaryHandler,
  type GrpcServiceRegistration,
  type Logger,
} from '@presence/kit';
import type { Kysely } from 'kysely';
import {
  addMembers,
  createRoom,
  leaveRoom,
  removeMember,
  setInvitePolicy,
  setRole,
} from '../domain/membership-commands.js';
import { requireRoom } from '../domain/room-guards.js';
import { emptyRoom } from '../domain/room.js';
import { rosterOf } from '../domain/roster.js';
import type { RoomsDatabase } from '../read-models/tables.js';
import { requestedPolicy, requestedRole, roleToPb, rosterMemberToPb } from './codec.js';
import type { PresenceCache } from './presence-cache.js';
import type { RosterWatch } from './roster-watch.js';
import type { RoomsLog } from './rooms-log.js';

export interface RoomServiceDeps {
  readonly rooms: RoomsLog;
  readonly presence: PresenceCache;
  readonly rosters: RosterWatch;
  readonly db: Kysely<RoomsDatabase>;
  readonly logger: Logger;
}

/**
 * RoomService (CONTRACT.md): every change is decided on the room folded from the ROOMS stream
 * and appended to it; the answer comes once the facts are folded and in the read model.
 * Refusals are DomainErrors, mapped to INVALID_ARGUMENT (the field named), NOT_FOUND,
 * PERMISSION_DENIED or FAILED_PRECONDITION, and change nothing.
 */
export function roomService(deps: RoomServiceDeps): GrpcServiceRegistration {
  const { rooms, logger } = deps;
  const unary = <Req, Res>(handler: (request: Req) => Promise<Res>) =>
    unaryHandler(logger, handler);
  const roomIdOf = (request: { roomId: string }) => requireId('room_id', request.roomId);

  const implementation: RoomServiceServer = {
    createRoom: unary(async (request) => {
      const roomId = randomUUID();
      await rooms.append(roomId, request.creatorId, (state) =>
        createRoom(state, {
          name: request.name,
          creatorId: request.creatorId,
          memberIds: request.memberIds,
        }),
      );
      return { roomId };
    }),
    addMembers: unary(async (request) => {
      await rooms.append(roomIdOf(request), request.actorId, (state) =>
        addMembers(state, { actorId: request.actorId, userIds: request.userIds }),
      );
      return {};
    }),
    removeMember: unary(async (request) => {
      await rooms.append(roomIdOf(request), request.actorId, (state) =>
        removeMember(state, { actorId: request.actorId, userId: request.userId }),
      );
      return {};
    }),
    leaveRoom: unary(async (request) => {
      await rooms.append(roomIdOf(request), request.userId, (state) =>
        leaveRoom(state, { userId: request.userId }),
      );
      return {};
    }),
    setRole: unary(async (request) => {
      await rooms.append(roomIdOf(request), request.actorId, (state) =>
        setRole(state, {
          actorId: request.actorId,
          userId: request.userId,
          role: requestedRole(request.role),
        }),
      );
      return {};
    }),
    setInvitePolicy: unary(async (request) => {
      await rooms.append(roomIdOf(request), request.actorId, (state) =>
        setInvitePolicy(state, {
          actorId: request.actorId,
          policy: requestedPolicy(request.policy),
        }),
      );
      return {};
    }),
    getRoster: unary(async (request) => {
      const roomId = roomIdOf(request);
      const state = rooms.room(roomId)?.state ?? emptyRoom;
      requireRoom(state);
      return {
        roomId,
        members: rosterOf(state, (user) => deps.presence.get(user)).map(rosterMemberToPb),
      };
    }),
    watchRoster: (call) => {
      let watch: { stop(): void } | undefined;
      let ended = false;
      const end = () => {
        ended = true;
        watch?.stop();
      };
      call.on('cancelled', end);
      call.on('close', end);
      const roomId = call.request.roomId;
      const write = (update: RosterUpdate['update']) => {
        if (!ended) call.write({ roomId, update });
      };
      (async () => {
        watch = await deps.rosters.watch(
          requireId('room_id', roomId),
          (roster) =>
            write({
              $case: 'roster',
              value: { roomId, members: roster.map(rosterMemberToPb) },
            }),
          (change) =>
            write(
              change.type === 'changed'
                ? { $case: 'memberChanged', value: rosterMemberToPb(change.member) }
                : { $case: 'memberRemoved', value: change.userId },
            ),
        );
        if (ended) watch.stop();
      })().catch((error: unknown) => {
        ended = true;
        call.emit('error', toGrpcError(error, logger));
      });
    },
    listRooms: unary(async (request) => ({
      rooms: await listRooms(deps.db, requireId('user_id', request.userId)),
    })),
  };
  return { definition: RoomServiceService, implementation, name: 'presence.v1.RoomService' };
}

/** A user's rooms from the read model, in their order (position, then room id). */
async function listRooms(db: Kysely<RoomsDatabase>, userId: string): Promise<PbUserRoom[]> {
  const rows = await db
    .selectFrom('room_members as m')
    .innerJoin('rooms as r', 'r.room_id', 'm.room_id')
    .select(['m.room_id', 'r.name', 'm.role', 'm.open', 'm.hidden', 'm.position', 'm.unread'])
    .where('m.member_id', '=', userId)
    .where('m.kind', '=', 'user')
    .orderBy('m.position')
    .orderBy('m.room_id')
    .execute();
  return rows.map((row) => ({
    roomId: row.room_id,
    name: row.name,
    role: roleToPb(row.role === 'admin' ? 'admin' : 'member'),
    open: row.open,
    hidden: row.hidden,
    position: row.position,
    // The notification service owns the level (SetNotificationLevel); `all` until it says more.
    notificationLevel: NotificationLevel.NOTIFICATION_LEVEL_ALL,
    unread: row.unread,
  }));
}
