import { describe, expect, it } from 'vitest';
import type { PresenceView } from './frames.js';
import { PresenceCache } from './presence-cache.js';
import { openClient, quietly, settle } from './testing-fixtures/client-harness.js';
import { view } from './testing-fixtures/fake-socket.js';

const reconnect = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 1 };
const at = (user: string, version: number, presence = 'online') =>
  view(user, version, presence) as PresenceView;

describe('PresenceCache', () => {
  it('drops a view older than the one held, and takes an equal or newer one', () => {
    const cache = new PresenceCache();
    expect(cache.offer(at('bob', 5, 'busy'))).toBe(true);
    expect(cache.offer(at('bob', 4, 'away'))).toBe(false);
    expect(cache.get('bob')?.presence).toBe('busy');
    // The own view may follow the public one with the same version: it wins.
    expect(cache.offer(at('bob', 5, 'invisible'))).toBe(true);
    expect(cache.offer(at('bob', 6, 'away'))).toBe(true);
    expect(cache.get('bob')).toMatchObject({ presence: 'away', version: 6 });
  });

  it('keeps users apart', () => {
    const cache = new PresenceCache();
    cache.offer(at('bob', 9));
    expect(cache.offer(at('cleo', 1))).toBe(true);
  });
});

describe('presence events', () => {
  it('carry a watched user from the snapshot through changes, dropping older versions', async () => {
    const { client, socket, eventsOf } = await openClient();
    quietly(client.watch(['bob']));
    socket().receive({ type: 'presence', ...at('bob', 3) });
    socket().receive({ type: 'presence.changed', ...at('bob', 5, 'busy') });
    socket().receive({ type: 'presence.changed', ...at('bob', 4, 'away') });
    expect(eventsOf<PresenceView>('presence').map((v) => [v.user, v.version])).toEqual([
      ['bob', 3],
    ]);
    expect(eventsOf<PresenceView>('presence.changed').map((v) => v.version)).toEqual([5]);
    expect(client.presenceOf('bob')).toEqual(at('bob', 5, 'busy'));
  });

  it('drop a snapshot after a reconnect that is older than what was seen', async () => {
    const { client, socket, clock, eventsOf } = await openClient({ reconnect });
    quietly(client.watch(['bob']));
    socket().receive({ type: 'presence.changed', ...at('bob', 8, 'busy') });
    socket().serverClose(1006);
    clock.advance(1_000);
    await settle();
    socket().greet();
    socket().receive({ type: 'presence', ...at('bob', 7, 'online') });
    expect(eventsOf('presence')).toEqual([]);
    expect(client.presenceOf('bob')?.presence).toBe('busy');
  });

  it('forget a user on unwatch, and ignore frames for users not watched', async () => {
    const { client, socket, eventsOf } = await openClient();
    quietly(client.watch(['bob']));
    socket().receive({ type: 'presence', ...at('bob', 1) });
    quietly(client.unwatch(['bob']));
    socket().receive({ type: 'presence.changed', ...at('bob', 2) });
    socket().receive({ type: 'presence.changed', ...at('mallory', 1) });
    expect(client.presenceOf('bob')).toBeUndefined();
    expect(client.presenceOf('mallory')).toBeUndefined();
    expect(eventsOf('presence.changed')).toEqual([]);
  });

  it("keep the own user's view without a watch, from hello on", async () => {
    const { client, socket, eventsOf } = await openClient();
    expect(client.presenceOf('alice')?.version).toBe(1);
    socket().receive({ type: 'presence.changed', ...at('alice', 2, 'invisible') });
    expect(client.presenceOf('alice')?.presence).toBe('invisible');
    expect(eventsOf('presence.changed')).toHaveLength(1);
  });
});
