import { Display, Presence } from '@presence/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, isType, type DeviceClient, type Frame } from '../support/device-client.js';
import { startGatewaySystem, type GatewaySystem } from '../support/gateway-system.js';

/**
 * A user's own devices see their real state (RULES.md 2.7, 2.8): the gateway merges
 * `presence.v1.own.<user>` into what it sends them, while watchers only ever see the public view.
 * The test publishes both subjects itself, standing in for the aggregator.
 */
let system: GatewaySystem;
const clients: DeviceClient[] = [];

beforeAll(async () => {
  system = await startGatewaySystem();
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await system?.stop();
});

const connect = async (user: string, device = `${user}-laptop`) => {
  const client = await connectDevice(system.gateway.httpUrl, { user, device });
  clients.push(client);
  return client;
};

const publicView = (userId: string, version: number) => ({
  userId,
  version: String(version),
  presence: Presence.PRESENCE_OFFLINE,
  display: Display.DISPLAY_OFFLINE,
});
const ownView = (userId: string, version: number, statusText?: string) => ({
  userId,
  version: String(version),
  presence: Presence.PRESENCE_INVISIBLE,
  display: Display.DISPLAY_AVAILABLE,
  online: true,
  ...(statusText === undefined ? {} : { statusText }),
});

const change = (user: string) => (f: Frame) => f.type === 'presence.changed' && f['user'] === user;

describe('own view', () => {
  it('greets with the own view when it is at least as new as the public one', async () => {
    await system.publishView(publicView('nina', 5));
    await system.publishView(ownView('nina', 5, 'hiding'), true);
    const client = await connect('nina');
    const hello = await client.next(isType('hello'));
    expect(hello['self']).toMatchObject({
      user: 'nina',
      presence: 'invisible',
      status_text: 'hiding',
      version: 5,
    });
    expect(await client.next(isType('presence', 'nina'))).toMatchObject({
      presence: 'invisible',
      version: 5,
    });
  });

  it('greets with the public view when the own view is older (it stopped differing)', async () => {
    await system.publishView(ownView('omar', 3), true);
    await system.publishView(publicView('omar', 4));
    const client = await connect('omar');
    expect((await client.next(isType('hello')))['self']).toMatchObject({
      presence: 'offline',
      version: 4,
    });
  });

  it('merges live changes: own wins a tie whichever arrives first; watchers see only public', async () => {
    const me = await connect('pia');
    await me.next(isType('presence', 'pia'));
    const watcher = await connect('quin');
    await watcher.next(isType('hello'));
    watcher.send({ type: 'watch', id: 'w', users: ['pia'] });
    await watcher.next((f) => f.type === 'ack' && f['id'] === 'w');

    // Public first, then the own view of the same event: both reach the own device, in that order.
    await system.publishView(publicView('pia', 10));
    await system.publishView(ownView('pia', 10), true);
    expect(await me.next(change('pia'))).toMatchObject({ presence: 'offline', version: 10 });
    expect(await me.next(change('pia'))).toMatchObject({ presence: 'invisible', version: 10 });

    // Own first: the public view of the same version does not overwrite it.
    await system.publishView(ownView('pia', 11, 'away from keyboard'), true);
    await system.publishView(publicView('pia', 11));
    // A newer public view (the user became visible again) is sent.
    await system.publishView({ ...publicView('pia', 12), presence: Presence.PRESENCE_ONLINE });
    // An own view older than what the device has is dropped.
    await system.publishView(ownView('pia', 9), true);
    expect(await me.next(change('pia'))).toMatchObject({
      presence: 'invisible',
      status_text: 'away from keyboard',
      version: 11,
    });
    expect(await me.next(change('pia'))).toMatchObject({ presence: 'online', version: 12 });

    const seenByWatcher: Frame[] = [];
    for (const version of [10, 11, 12]) {
      const frame = await watcher.next(change('pia'));
      expect(frame['version']).toBe(version);
      seenByWatcher.push(frame);
    }
    expect(seenByWatcher.map((f) => f['presence'])).toEqual(['offline', 'offline', 'online']);

    // Nothing else arrived on the own device: one more change shows what came next.
    await system.publishView({ ...publicView('pia', 13), presence: Presence.PRESENCE_AWAY });
    expect(await me.next(change('pia'))).toMatchObject({ presence: 'away', version: 13 });
    expect(me.frames.filter(change('pia')).map((f) => f['version'])).toEqual([10, 10, 11, 12, 13]);
    expect(watcher.frames.some((f) => f['presence'] === 'invisible')).toBe(false);
  });

  it('reaches every connected device of the user and no one else', async () => {
    const desk = await connect('rita', 'rita-desk');
    const phone = await connect('rita', 'rita-phone');
    const other = await connect('sam');
    await Promise.all([desk, phone, other].map((c) => c.next(isType('hello'))));
    await system.publishView(ownView('rita', 20, 'secret'), true);
    expect(await desk.next(change('rita'))).toMatchObject({ status_text: 'secret', version: 20 });
    expect(await phone.next(change('rita'))).toMatchObject({ status_text: 'secret', version: 20 });
    other.send({ type: 'watch', id: 'w', users: ['rita'] });
    expect(await other.next(isType('presence', 'rita'))).toMatchObject({
      presence: 'offline',
      version: 0,
    });
  });
});
