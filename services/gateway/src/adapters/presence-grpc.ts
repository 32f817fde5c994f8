import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { isBusError } from '@presence/bus';
import {
  Presence,
  PresenceServiceService,
  type PresenceServiceServer,
  type PresenceView,
} from '@presence/contracts';
import { LimitExceededError, requireId, ValidationError } from '@presence/domain';
import {
  grpcStatusError,
  toGrpcError,
  type GrpcServiceRegistration,
  type GrpcStatusError,
  type Logger,
} from '@presence/kit';
import { checkUserIds, decideCalendarBusy } from '../domain/presence-api.js';
import { decideStatus } from '../domain/status-commands.js';
import { WatchSession, type Outgoing } from '../domain/watch-session.js';
import type { PresenceChoice, Workspace } from '../domain/workspace.js';
import type { DeviceLog } from './device-log.js';
import { HistoryUnavailableError, type PresenceHistory } from './presence-history.js';
import type { Watcher, WatchHub } from './hub.js';
import { watchedView, type PresenceSource } from './presence-source.js';
import type { PresenceUpdate } from './wire.js';

export interface PresenceGrpcDeps {
  readonly hub: WatchHub;
  readonly presence: PresenceSource;
  readonly log: DeviceLog;
  readonly workspace: { current(): Workspace };
  readonly history: PresenceHistory;
  /** Most user ids in one GetPresence or WatchPresence call. */
  readonly maxUsersPerCall: number;
  /** Aborted when the gateway shuts down: open WatchPresence streams end at once. */
  readonly shutdown: AbortSignal;
  readonly logger: Logger;
}

const SNAPSHOT_CONCURRENCY = 64;
/** A watcher this far behind (messages queued in the server) is cut rather than buffered forever. */
const MAX_QUEUED_MESSAGES = 10_000;

type WatchCall = Parameters<PresenceServiceServer['watchPresence']>[0];

/** SetStatus takes the presences a user can choose; OFFLINE is not one (go invisible instead). */
const CHOICES: Partial<Record<Presence, PresenceChoice>> = {
  [Presence.PRESENCE_ONLINE]: 'online',
  [Presence.PRESENCE_AWAY]: 'away',
  [Presence.PRESENCE_BUSY]: 'busy',
  [Presence.PRESENCE_INVISIBLE]: 'invisible',
};

/**
 * `presence.v1.PresenceService` for internal teams (CONTRACT.md, gRPC): current views from the
 * PRESENCE stream, watches through the same hub as device connections, and SetStatus and
 * SetCalendarBusy as facts in the device log, and GetPresenceAt from the aggregators' history.
 */
export function presenceGrpcService(deps: PresenceGrpcDeps): GrpcServiceRegistration {
  const { log, logger } = deps;

  const toStatus = (error: unknown): GrpcStatusError => {
    if (!isBusError(error) && !(error instanceof HistoryUnavailableError)) {
      return toGrpcError(error, logger);
    }
    logger.warn({ err: error }, 'presence call failed on the bus');
    return grpcStatusError(
      status.UNAVAILABLE,
      error instanceof HistoryUnavailableError
        ? 'presence history unavailable (no presence-aggregator answered), retry later'
        : 'presence log unavailable, retry later',
    );
  };

  function unary<Req, Res>(handler: (request: Req) => Promise<Res>) {
    return (
      call: { readonly request: Req },
      callback: (error: GrpcStatusError | null, response?: Res) => void,
    ): void => {
      handler(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => callback(toStatus(error)),
      );
    };
  }

  const implementation: PresenceServiceServer = {
    getPresence: unary(async (request) => {
      const users = checkUserIds(request.userIds, deps.maxUsersPerCall, { required: false });
      const presences: PresenceView[] = [];
      await readSnapshots(deps, users, (update) => presences.push(update.message.view));
      return { presences };
    }),

    watchPresence: (call) => watch(call, deps, toStatus),

    setStatus: unary(async (request) => {
      const userId = requireId('user_id', request.userId);
      const choice = CHOICES[request.presence];
      if (choice === undefined) {
        throw new ValidationError(
          'invalid_presence',
          `presence: must be PRESENCE_ONLINE, PRESENCE_AWAY, PRESENCE_BUSY or PRESENCE_INVISIBLE; got ${Presence[request.presence] ?? request.presence}`,
          'presence',
        );
      }
      const command = {
        type: 'status.set' as const,
        presence: choice,
        ...(request.text === undefined ? {} : { text: request.text }),
      };
      // Not from a device: the fact carries no device id.
      await log.statusFact(userId, decideStatus(command, deps.workspace.current(), ''));
      return {};
    }),

    setCalendarBusy: unary(async (request) => {
      const fact = decideCalendarBusy({
        userId: request.userId,
        start: request.start,
        end: request.end,
        title: request.title,
        calendarEventId: randomUUID(),
        nowMs: Date.now(),
      });
      await log.calendarBusySet(fact.userId, {
        calendarEventId: fact.calendarEventId,
        start: fact.start,
        end: fact.end,
        title: fact.title,
      });
      return { calendarEventId: fact.calendarEventId };
    }),
    getPresenceAt: unary(async (request) => ({
      presence: await deps.history.at(request.userId, request.at),
    })),
  };

  return {
    name: 'presence.v1.PresenceService',
    definition: PresenceServiceService,
    implementation,
  };
}

/** Reads current views in bounded parallel batches, handing them over in request order. */
async function readSnapshots(
  { hub, presence }: Pick<PresenceGrpcDeps, 'hub' | 'presence'>,
  users: readonly string[],
  each: (update: PresenceUpdate) => void,
): Promise<void> {
  for (let i = 0; i < users.length; i += SNAPSHOT_CONCURRENCY) {
    const batch = users.slice(i, i + SNAPSHOT_CONCURRENCY);
    for (const update of await Promise.all(batch.map((user) => watchedView(hub, presence, user)))) {
      each(update);
    }
  }
}

/**
 * WatchPresence: registered with the hub before the snapshots are read, and ordered per user by a
 * WatchSession exactly like a device's watch, so no change is lost or sent out of order.
 */
function watch(call: WatchCall, deps: PresenceGrpcDeps, toStatus: (e: unknown) => GrpcStatusError) {
  let users: string[];
  try {
    users = checkUserIds(call.request.userIds, deps.maxUsersPerCall, { required: true });
  } catch (error) {
    call.emit('error', toStatus(error));
    return;
  }
  const session = new WatchSession<PresenceUpdate>(users.length);
  session.watch(users);
  let ended = false;

  const stop = (): void => {
    ended = true;
    deps.hub.remove(watcher, users);
    deps.shutdown.removeEventListener('abort', onShutdown);
  };
  const fail = (error: GrpcStatusError): void => {
    if (ended) return;
    stop();
    call.emit('error', error);
  };
  const write = (outgoing: readonly Outgoing<PresenceUpdate>[]): void => {
    for (const out of outgoing) {
      if (ended) return;
      if (call.writableLength >= MAX_QUEUED_MESSAGES) {
        return fail(
          toStatus(
            new LimitExceededError(
              'watcher_too_slow',
              `the stream fell ${MAX_QUEUED_MESSAGES} messages behind; watch again`,
            ),
          ),
        );
      }
      call.write(out.view.message);
    }
  };
  const watcher: Watcher = { deliver: (update) => write(session.onChange(update)) };
  const onShutdown = () =>
    fail(grpcStatusError(status.UNAVAILABLE, 'gateway shutting down; watch again'));

  deps.hub.add(watcher, users);
  deps.shutdown.addEventListener('abort', onShutdown, { once: true });
  call.on('cancelled', () => {
    if (!ended) stop();
  });
  if (deps.shutdown.aborted) return onShutdown();
  readSnapshots(deps, users, (update) => write(session.onSnapshot(update))).catch(
    (error: unknown) => fail(toStatus(error)),
  );
}
