import type { NatsConnection } from '@presence/bus';
import { DeviceCommand, DeviceCommandResult, subjects } from '@presence/contracts';
import { isDomainError, requireId } from '@presence/domain';
import type { Logger } from '@presence/kit';
import type { RoomCommand } from '../domain/decide-room.js';
import { decideRoom } from '../domain/decide-room.js';
import type { RoomsLog } from './rooms-log.js';
import type { SessionWatches } from './session-watches.js';

/** The queue group of the service: one replica answers each relayed frame. */
const QUEUE = 'room-membership';

/** The device frames that change the user's own room state (CONTRACT.md), by frame type. */
const STATE_COMMANDS = {
  'room.open': 'OpenRoom',
  'room.close': 'CloseRoom',
  'room.hide': 'HideRoom',
} as const;

type Answer = { readonly code: string; readonly message: string } | null;

/**
 * Answers the room frames the gateways relay (`rpc.v1.device.room`): `room.open`, `room.close`
 * and `room.hide` change the sender's own room state (appended to ROOMS; every device of theirs
 * then gets `room.state`); `room.watch` / `room.unwatch` start and end the session's roster
 * watch. Refusals are an error code and message, the device's `error` frame.
 */
export function answerDeviceCommands(deps: {
  readonly nc: NatsConnection;
  readonly rooms: RoomsLog;
  readonly watches: SessionWatches;
  readonly logger: Logger;
}): { stop(): void } {
  const subscription = deps.nc.subscribe(subjects.deviceCommand('room'), {
    queue: QUEUE,
    callback: (error, message) => {
      if (error) return;
      void answer(message.data).then((result) =>
        message.respond(
          DeviceCommandResult.encode({
            errorCode: result?.code ?? '',
            errorMessage: result?.message ?? '',
          }).finish(),
        ),
      );
    },
  });

  async function answer(data: Uint8Array): Promise<Answer> {
    try {
      const command = DeviceCommand.decode(data);
      const fields = JSON.parse(command.frameJson) as { room?: unknown };
      const roomId = requireId('room', fields.room);
      const session = {
        gatewayId: command.gatewayId,
        sessionId: command.sessionId,
        userId: command.userId,
      };
      if (command.frameType === 'room.watch') {
        await deps.watches.watch(session, roomId);
        return null;
      }
      if (command.frameType === 'room.unwatch') {
        deps.watches.unwatch(session, roomId);
        return null;
      }
      const type = STATE_COMMANDS[command.frameType as keyof typeof STATE_COMMANDS];
      if (type === undefined) {
        return { code: 'unknown_type', message: `${command.frameType} is not a room frame` };
      }
      const decided: RoomCommand = { type, userId: command.userId, deviceId: command.deviceId };
      await deps.rooms.append(roomId, command.userId, (state) => decideRoom(state, decided));
      return null;
    } catch (error) {
      if (isDomainError(error)) return { code: error.code, message: error.message };
      deps.logger.error({ err: error }, 'a relayed room frame failed');
      return { code: 'internal', message: 'the room service failed; retry later' };
    }
  }

  return { stop: () => subscription.unsubscribe() };
}
