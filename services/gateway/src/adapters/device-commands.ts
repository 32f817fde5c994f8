import type { NatsConnection } from '@presence/bus';
import { DeviceCommand, DeviceCommandResult, subjects } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import type { CollabFrame } from '../domain/collab-frames.js';
import type { DeviceSessionRef } from './device-log.js';

export type RelayResult =
  { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/** How long a relayed frame waits for its service before the device gets `unavailable`. */
const RELAY_TIMEOUT_MS = 5_000;

/**
 * Relays the room, message and meeting frames of a device to the service that owns them
 * (`rpc.v1.device.<kind>`, DeviceCommand -> DeviceCommandResult over NATS request/reply, any
 * replica of its queue group answers). No service subscribed, or none answering in time, is
 * `unavailable`: the device may retry later, nothing was done.
 */
export function createDeviceCommands(nc: NatsConnection, logger: Logger, gatewayId: string) {
  return {
    async relay(session: DeviceSessionRef, frame: CollabFrame): Promise<RelayResult> {
      const { kind, name, ...parsed } = frame;
      // As the device sent them (CONTRACT.md): a meeting's indicators are fields of the frame.
      const { indicators, ...fields } = parsed as typeof parsed & { indicators?: object };
      if (indicators) Object.assign(fields, indicators);
      const command = DeviceCommand.encode({
        userId: session.userId,
        deviceId: session.deviceId,
        sessionId: session.sessionId,
        frameType: name,
        frameJson: JSON.stringify(fields),
        gatewayId,
      }).finish();
      let reply;
      try {
        reply = await nc.request(subjects.deviceCommand(kind), command, {
          timeout: RELAY_TIMEOUT_MS,
        });
      } catch (error) {
        logger.debug({ err: error, frame: name }, 'no service answered a device command');
        return {
          ok: false,
          code: 'unavailable',
          message: `${name} is not available yet: no ${kind} service answered; retry later`,
        };
      }
      const result = DeviceCommandResult.decode(reply.data);
      return result.errorCode === ''
        ? { ok: true }
        : { ok: false, code: result.errorCode, message: result.errorMessage };
    },
  };
}

export type DeviceCommands = ReturnType<typeof createDeviceCommands>;
