import { headers, type NatsConnection } from '@presence/bus';
import { GetPresenceAtRequest, GetPresenceAtResponse, subjects } from '@presence/contracts';
import { isDomainError, requireId, ValidationError } from '@presence/domain';
import type { Logger } from '@presence/kit';
import type { Kysely } from 'kysely';
import { presenceAt } from '../read-models/queries.js';
import type { PresenceDatabase } from '../read-models/tables.js';
import { encodeView } from './codec.js';

/**
 * Answers GetPresenceAt (time travel) for the gateway over NATS request/reply, from
 * `presence_history`: the public view as of the last change at or before the instant. Replicas
 * share the queue group, so any one answers. Errors travel in the `error-code` / `error` headers.
 */
export function servePresenceAt(deps: {
  readonly nc: NatsConnection;
  readonly db: Kysely<PresenceDatabase>;
  readonly logger: Logger;
}): { stop(): void } {
  const subscription = deps.nc.subscribe(subjects.presenceAtQuery, {
    queue: 'presence-aggregator',
    callback: (error, message) => {
      if (error) return;
      void (async () => {
        try {
          const request = GetPresenceAtRequest.decode(message.data);
          const userId = requireId('user_id', request.userId);
          const at = new Date(request.at ?? Number.NaN);
          if (Number.isNaN(at.getTime())) {
            throw new ValidationError('invalid_field', 'at: a timestamp is required', 'at');
          }
          const found = await presenceAt(deps.db, userId, at);
          message.respond(
            GetPresenceAtResponse.encode({
              presence: encodeView(userId, found?.view ?? null, found?.version ?? 0),
            }).finish(),
          );
        } catch (failure) {
          const h = headers();
          h.set('error-code', isDomainError(failure) ? failure.code : 'internal');
          h.set('error-kind', isDomainError(failure) ? failure.kind : 'internal');
          h.set('error', isDomainError(failure) ? failure.message : 'internal error');
          if (!isDomainError(failure)) deps.logger.error({ err: failure }, 'GetPresenceAt failed');
          message.respond(new Uint8Array(), { headers: h });
        }
      })();
    },
  });
  return { stop: () => subscription.unsubscribe() };
}
