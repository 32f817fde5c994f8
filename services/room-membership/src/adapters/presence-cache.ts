import { createLastValueReader, type NatsConnection } from '@presence/bus';
import { lastToken, PresenceChanged, subjects } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import type { Presence } from '../domain/roster.js';
import { presenceFromPb } from './codec.js';

interface Known {
  readonly presence: Presence;
  readonly version: bigint;
}

export interface PresenceCache {
  /** The public presence of a user already loaded (`unspecified` when never seen). */
  get(userId: string): Presence;
  /** Loads the users not known yet from the PRESENCE stream's last values. */
  ensure(userIds: Iterable<string>): Promise<void>;
  /** Called with each user whose public presence changed (after the cache has it). */
  onChange(listener: (userId: string, presence: Presence) => void): void;
  stop(): void;
}

const READ_CONCURRENCY = 64;

/**
 * The public presence of room members, as others see it (RULES.md 6): every change from the
 * PRESENCE subscription, each user's last view read once when first needed. Versions decide, so
 * a read that answers after a newer change never takes the cache back.
 */
export async function startPresenceCache(deps: {
  readonly nc: NatsConnection;
  readonly logger: Logger;
}): Promise<PresenceCache> {
  const known = new Map<string, Known>();
  const listeners: ((userId: string, presence: Presence) => void)[] = [];
  const reader = await createLastValueReader(deps.nc, 'PRESENCE');

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

  async function load(userId: string): Promise<void> {
    const last = await reader.last(subjects.presenceChanged(userId));
    if (last) remember(userId, last.data);
    // Never seen: offline until a change arrives (a change can only be newer).
    else if (!known.has(userId)) known.set(userId, { presence: 'unspecified', version: 0n });
  }

  return {
    get: (userId) => known.get(userId)?.presence ?? 'unspecified',
    async ensure(userIds) {
      const missing = [...new Set(userIds)].filter((userId) => !known.has(userId));
      for (let i = 0; i < missing.length; i += READ_CONCURRENCY) {
        await Promise.all(missing.slice(i, i + READ_CONCURRENCY).map(load));
      }
    },
    onChange: (listener) => {
      listeners.push(listener);
    },
    stop: () => subscription.unsubscribe(),
  };
}
