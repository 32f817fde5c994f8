import {
  connectBus,
  ensureStreams,
  jetstream,
  publishEvent,
  type JetStreamClient,
  type NatsConnection,
} from '@presence/bus';
import { Display, Presence, PresenceChanged, STREAMS, subjects } from '@presence/contracts';
import { createLogger } from '@presence/kit';
import { startNatsServer, type NatsServerHandle } from '@presence/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPresenceCache, type PresenceCache } from './presence-cache.js';

let server: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
const caches: PresenceCache[] = [];
const logger = createLogger({ service: 'presence-cache-test', level: 'silent' });

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectBus({ servers: server.url, name: 'presence-cache-test' });
  await ensureStreams(nc, [STREAMS.PRESENCE]);
  js = jetstream(nc);
}, 60_000);

afterAll(async () => {
  for (const cache of caches) cache.stop();
  await nc?.close();
  await server?.stop();
});

/** Stores a public view as the aggregator does. */
async function publishView(userId: string, presence: Presence, version: number): Promise<void> {
  await publishEvent(js, {
    natsSubject: subjects.presenceChanged(userId),
    id: `${userId}:${version}`,
    type: 'presence.v1.PresenceChanged',
    source: 'test',
    subject: userId,
    time: new Date().toISOString(),
    data: PresenceChanged.encode({
      view: {
        userId,
        presence,
        display: Display.DISPLAY_AVAILABLE,
        online: presence !== Presence.PRESENCE_OFFLINE,
        devices: [],
        version: String(version),
      },
      changedAt: undefined,
    }).finish(),
  });
}

async function start(): Promise<PresenceCache> {
  const cache = await startPresenceCache({ nc, logger });
  caches.push(cache);
  return cache;
}

describe('presence cache (PRESENCE -> public presence of every user)', () => {
  it('starts with every user`s last stored view, then follows changes by version', async () => {
    await publishView('ann', Presence.PRESENCE_ONLINE, 1);
    await publishView('ann', Presence.PRESENCE_BUSY, 2);
    await publishView('bob', Presence.PRESENCE_AWAY, 5);
    const cache = await start();
    expect(cache.get('ann')).toBe('busy');
    expect(cache.get('bob')).toBe('away');
    expect(cache.get('never-seen')).toBe('unspecified');

    const changed: string[] = [];
    cache.onChange((user, presence) => changed.push(`${user}:${presence}`));
    await publishView('bob', Presence.PRESENCE_OFFLINE, 6);
    // A stale view (an older version arriving late) changes nothing.
    await publishView('ann', Presence.PRESENCE_OFFLINE, 1);
    await publishView('ann', Presence.PRESENCE_ONLINE, 3);
    await expect.poll(() => changed).toEqual(['bob:offline', 'ann:online']);
    expect(cache.get('bob')).toBe('offline');
  });

  it('starts on an empty stream', async () => {
    const fresh = await startNatsServer();
    const other = await connectBus({ servers: fresh.url, name: 'presence-cache-empty' });
    try {
      await ensureStreams(other, [STREAMS.PRESENCE]);
      const cache = await startPresenceCache({ nc: other, logger });
      expect(cache.get('ann')).toBe('unspecified');
      cache.stop();
    } finally {
      await other.close();
      await fresh.stop();
    }
  });
});
