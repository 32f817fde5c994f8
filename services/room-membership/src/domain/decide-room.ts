import { assertNever } from '@presence/domain';
import {
  addMembers,
  addWebhookMember,
  createRoom,
  leaveRoom,
  removeMember,
  removeWebhookMember,
  setInvitePolicy,
  setRole,
  type AddMembers,
  type AddWebhookMember,
  type CreateRoom,
  type LeaveRoom,
  type RemoveMember,
  type RemoveWebhookMember,
  type SetInvitePolicy,
  type SetRole,
} from './membership-commands.js';
import type { RoomFact, RoomState } from './room.js';
import {
  closeRoom,
  hideRoom,
  openRoom,
  setPosition,
  setUnread,
  type RoomDeviceCommand,
  type SetPosition,
  type SetUnread,
} from './room-state-commands.js';

/** Every command on a room, for adapters that route by type and for the replay properties. */
export type RoomCommand =
  | ({ readonly type: 'CreateRoom' } & CreateRoom)
  | ({ readonly type: 'AddMembers' } & AddMembers)
  | ({ readonly type: 'RemoveMember' } & RemoveMember)
  | ({ readonly type: 'LeaveRoom' } & LeaveRoom)
  | ({ readonly type: 'SetRole' } & SetRole)
  | ({ readonly type: 'SetInvitePolicy' } & SetInvitePolicy)
  | ({ readonly type: 'OpenRoom' } & RoomDeviceCommand)
  | ({ readonly type: 'CloseRoom' } & RoomDeviceCommand)
  | ({ readonly type: 'HideRoom' } & RoomDeviceCommand)
  | ({ readonly type: 'SetPosition' } & SetPosition)
  | ({ readonly type: 'SetUnread' } & SetUnread)
  | ({ readonly type: 'AddWebhookMember' } & AddWebhookMember)
  | ({ readonly type: 'RemoveWebhookMember' } & RemoveWebhookMember);

/** The facts to append for `command`, or a thrown DomainError (nothing to append). */
export function decideRoom(state: RoomState, command: RoomCommand): RoomFact[] {
  switch (command.type) {
    case 'CreateRoom':
      return createRoom(state, command);
    case 'AddMembers':
      return addMembers(state, command);
    case 'RemoveMember':
      return removeMember(state, command);
    case 'LeaveRoom':
      return leaveRoom(state, command);
    case 'SetRole':
      return setRole(state, command);
    case 'SetInvitePolicy':
      return setInvitePolicy(state, command);
    case 'OpenRoom':
      return openRoom(state, command);
    case 'CloseRoom':
      return closeRoom(state, command);
    case 'HideRoom':
      return hideRoom(state, command);
    case 'SetPosition':
      return setPosition(state, command);
    case 'SetUnread':
      return setUnread(state, command);
    case 'AddWebhookMember':
      return addWebhookMember(state, command);
    case 'RemoveWebhookMember':
      return removeWebhookMember(state, command);
    default:
      return assertNever(command);
  }
}
