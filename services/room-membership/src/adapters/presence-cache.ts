import { DeliverPolicy, jetstream, type NatsConnection } from '@presence/bus';
import { lastToken, PresenceChanged, subjects } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import type { Presence } from '../domain/roster.js';
import { presenceFromPb } from './codec.js';

interface Known {
  readonly presence: Presence;
  readonly version: bigint;
}

export interface PresenceCache {
  /** The public presence of a user (`unspecified` when the log never had a view of theirs). */
  get(userId: string): Presence;
  /** Called with each user whose public presence changed (after the cache has it). */
  onChange(listener: (userId: string, presence: Presence) => void): void;
  stop(): void;
}

/**
 * Every user's public presence, as others see it (RULES.md 6), in memory: at start the PRESENCE
 * stream's last view of each user (one ordered consumer, last per subject: 100,000 users in about
 * a second, where a read per user took a minute for 20,000), then every change from the
 * subscription, opened first so nothing falls between the two. Versions decide, so the load
 * never takes a newer change back. A user the log never had a view of is `unspecified`.
 */
export async function startPresenceCache(deps: {
  readonly nc: NatsConnection;
  readonly logger: Logger;
}): Promise<PresenceCache> {
  const known = new Map<string, Known>();
  const listeners: ((userId: string, presence: Presence) => void)[] = [];

  function remember(userId: string, data: Uint8Array): void {
    const view = PresenceChanged.decode(data).view;
    if (!view) return;
    const next = { presence: presenceFromPb(view.presence), version: BigInt(view.version) };
    const current = known.get(userId);
    if (current && current.version >= next.version) return;
    known.set(userId, next);
    if (current?.presence === next.presence) return;
    for (const listener of listeners) listener(userId, next.presence);
  }

  const subscription = deps.nc.subscribe(subjects.presenceChangedAll, {
    callback: (error, message) => {
      if (error) return;
      try {
        remember(lastToken(message.subject), message.data);
      } catch (decodeError) {
        deps.logger.warn(
          { err: decodeError, subject: message.subject },
          'unreadable presence change',
        );
      }
    },
  });

  await loadLastViews(deps.nc, remember);

  return {
    get: (userId) => known.get(userId)?.presence ?? 'unspecified',
    onChange: (listener) => {
      listeners.push(listener);
    },
    stop: () => subscription.unsubscribe(),
  };
}

/** Hands the last stored view of every user to `remember`, then returns. */
async function loadLastViews(
  nc: NatsConnection,
  remember: (userId: string, data: Uint8Array) => void,
): Promise<void> {
  const consumer = await jetstream(nc).consumers.get('PRESENCE', {
    filter_subjects: subjects.presenceChangedAll,
    deliver_policy: DeliverPolicy.LastPerSubject,
  });
  if ((await consumer.info()).num_pending === 0) return;
  const messages = await consumer.consume();
  for await (const message of messages) {
    try {
      remember(lastToken(message.subject), message.data);
    } catch {
      // An unreadable view counts as none: the user's next change replaces it.
    }
    if (message.info.pending === 0) break;
  }
  await messages.close();
}
