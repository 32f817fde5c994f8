import { status, type handleUnaryCall } from '@grpc/grpc-js';
import {
  PresenceAdminServiceService,
  type RebuildProjectionRequest,
  type RebuildProjectionResponse,
} from '@presence/contracts';
import {
  grpcStatusError,
  toGrpcError,
  unimplementedService,
  type GrpcServiceRegistration,
  type Logger,
} from '@presence/kit';
import { USER_PRESENCE } from '../read-models/user-presence.table.js';
import type { RebuildResult } from './rebuild.js';

const NAME = 'presence.v1.PresenceAdminService';

/**
 * PresenceAdminService. RebuildProjection works now; settings and custom statuses arrive with
 * the rules of RULES.md 1-5 and answer UNIMPLEMENTED until then.
 */
export function presenceAdminService(deps: {
  rebuild: () => Promise<RebuildResult>;
  logger: Logger;
}): GrpcServiceRegistration {
  let running = false;
  const rebuildProjection: handleUnaryCall<RebuildProjectionRequest, RebuildProjectionResponse> = (
    call,
    callback,
  ) => {
    const { projection } = call.request;
    if (projection !== '' && projection !== USER_PRESENCE) {
      callback(
        grpcStatusError(
          status.INVALID_ARGUMENT,
          `projection: unknown projection ${JSON.stringify(projection)}; known: ${USER_PRESENCE}`,
        ),
      );
      return;
    }
    if (running) {
      callback(grpcStatusError(status.FAILED_PRECONDITION, 'a rebuild is already running'));
      return;
    }
    running = true;
    deps
      .rebuild()
      .then(
        (result) =>
          callback(null, {
            eventsReplayed: String(result.eventsReplayed),
            position: String(result.position),
            rows: String(result.rows),
          }),
        (error: unknown) => callback(toGrpcError(error, deps.logger)),
      )
      .finally(() => {
        running = false;
      });
  };
  return {
    name: NAME,
    definition: PresenceAdminServiceService,
    implementation: {
      ...unimplementedService(PresenceAdminServiceService, NAME),
      rebuildProjection,
    },
  };
}
