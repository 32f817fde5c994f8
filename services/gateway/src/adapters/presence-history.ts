import type { NatsConnection } from '@presence/bus';
import {
  GetPresenceAtRequest,
  GetPresenceAtResponse,
  subjects,
  type PresenceView,
} from '@presence/contracts';
import { ConflictError, NotFoundError, ValidationError, requireId } from '@presence/domain';

/** The aggregator could not be reached (no replica running, or it timed out). */
export class HistoryUnavailableError extends Error {}

/**
 * GetPresenceAt: the view others saw at an instant, asked of the presence-aggregators (which keep
 * `presence_history`) over NATS request/reply on `rpc.v1.presence.at`.
 */
export function createPresenceHistory(nc: NatsConnection, timeoutMs = 5_000) {
  return {
    async at(userId: string, at: string | undefined): Promise<PresenceView> {
      requireId('user_id', userId);
      if (at === undefined || Number.isNaN(Date.parse(at))) {
        throw new ValidationError('invalid_field', 'at: a timestamp is required', 'at');
      }
      let reply;
      try {
        reply = await nc.request(
          subjects.presenceAtQuery,
          GetPresenceAtRequest.encode({ userId, at }).finish(),
          { timeout: timeoutMs },
        );
      } catch (error) {
        throw new HistoryUnavailableError(
          `presence history unavailable: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const code = reply.headers?.get('error-code');
      if (code) {
        const message = reply.headers?.get('error') ?? code;
        const kind = reply.headers?.get('error-kind');
        if (kind === 'validation') throw new ValidationError(code, message);
        if (kind === 'not_found') throw new NotFoundError(code, message);
        if (kind === 'conflict') throw new ConflictError(code, message);
        throw new HistoryUnavailableError(`presence history failed: ${message}`);
      }
      return GetPresenceAtResponse.decode(reply.data).presence!;
    },
  };
}

export type PresenceHistory = ReturnType<typeof createPresenceHistory>;
