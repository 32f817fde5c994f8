import { createLastValueReader, type LastValueReader, type NatsConnection } from '@presence/bus';
import { lastToken, PresenceChanged, subjects } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import type { ReadLast, WatchHub } from './hub.js';
import { PresenceUpdate } from './wire.js';

/**
 * Where the gateway's presence views come from. Changes arrive on plain core NATS subscriptions
 * (JetStream-stored messages reach core subscribers too, and it is the fastest path: DESIGN.md,
 * hot path): `presence.v1.changed.>` for the views others see, `presence.v1.own.>` for the own
 * views of invisible or hidden users. Snapshots are the PRESENCE stream's last message per subject.
 */
export async function createPresenceSource(nc: NatsConnection, logger: Logger) {
  const reader: LastValueReader = await createLastValueReader(nc, 'PRESENCE');

  async function read(subject: string): Promise<PresenceUpdate | null> {
    const last = await reader.last(subject);
    if (last === null) return null;
    const message = PresenceChanged.decode(last.data);
    return message.view ? new PresenceUpdate({ ...message, view: message.view }) : null;
  }

  /** The user's last public view, or null when the log has never seen them. */
  const readPublic: ReadLast = (user) => read(subjects.presenceChanged(user));

  /** The user's last own view, or null when it never differed from the public one. */
  const readOwn: ReadLast = (user) => read(subjects.presenceOwn(user));

  /** `wants(user)` is checked on the subject before decoding, so unwatched users cost no decode. */
  function listen(
    subject: string,
    onChange: (update: PresenceUpdate) => void,
    wants: (user: string) => boolean,
  ): () => void {
    const subscription = nc.subscribe(subject, {
      callback: (error, message) => {
        if (error) {
          logger.error({ err: error, subject }, 'presence subscription failed');
          return;
        }
        if (!wants(lastToken(message.subject))) return;
        try {
          const decoded = PresenceChanged.decode(message.data);
          if (decoded.view) onChange(new PresenceUpdate({ ...decoded, view: decoded.view }));
        } catch (decodeError) {
          logger.error(
            { err: decodeError, subject: message.subject },
            'skipping unreadable PresenceChanged',
          );
        }
      },
    });
    return () => subscription.unsubscribe();
  }

  return {
    readPublic,
    readOwn,
    /** Public views, as every watcher sees them. */
    subscribe: (onChange: (update: PresenceUpdate) => void, wants: (user: string) => boolean) =>
      listen(subjects.presenceChangedAll, onChange, wants),
    /** Own views, for the devices of the user only. */
    subscribeOwn: (onChange: (update: PresenceUpdate) => void, wants: (user: string) => boolean) =>
      listen(subjects.presenceOwnAll, onChange, wants),
  };
}

export type PresenceSource = Awaited<ReturnType<typeof createPresenceSource>>;

/**
 * A user's current public view, through the hub's cache for watched users (call after `hub.add`);
 * a user the log has never seen is offline with version 0.
 */
export async function watchedView(
  hub: WatchHub,
  presence: PresenceSource,
  user: string,
): Promise<PresenceUpdate> {
  return (await hub.lastValue(user, presence.readPublic)) ?? PresenceUpdate.unknown(user);
}

/**
 * Re-reads every watched view each time the bus connection comes back: changes published while
 * it was down never reached the subscriptions (core NATS keeps nothing for absent subscribers).
 */
export function resyncOnReconnect(
  nc: NatsConnection,
  hubs: ReadonlyArray<readonly [WatchHub, ReadLast]>,
  logger: Logger,
): void {
  const resync = async () => {
    const started = performance.now();
    await Promise.all(hubs.map(([hub, read]) => hub.resync(read, RESYNC_CONCURRENCY)));
    logger.info(
      { ms: Math.round(performance.now() - started), users: hubs[0]?.[0].watchedUsers },
      'watched views read again after the bus reconnected',
    );
  };
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type !== 'reconnect') continue;
      resync().catch((error: unknown) =>
        logger.warn({ err: error }, 'cannot read the watched views again; they catch up on change'),
      );
    }
  })();
}

const RESYNC_CONCURRENCY = 64;
