import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presenceAdmin } from '../support/admin.js';
import { connectDevice, isType } from '../support/device-client.js';
import { eventually, startPresenceSystem, type PresenceSystem } from '../support/system.js';

/**
 * The walking skeleton end to end: device -> gateway -> DEVICE_EVENTS -> aggregator ->
 * PRESENCE -> gateway -> watcher, with the read model in PostgreSQL rebuilt from the log.
 */
let system: PresenceSystem;

beforeAll(async () => {
  system = await startPresenceSystem();
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

describe('presence path', () => {
  it('A watching B sees B go online and offline; the read model matches and rebuilds identically', async () => {
    const alice = await connectDevice(system.gateway.httpUrl, { user: 'alice' });
    const hello = await alice.next(isType('hello'));
    expect(hello).toMatchObject({
      user: 'alice',
      device: 'alice-laptop',
      settings: { idle_timeout_s: 300 },
    });
    expect(typeof hello['session']).toBe('string');

    alice.send({ type: 'watch', id: 'w1', users: ['bob'] });
    expect(await alice.next(isType('presence', 'bob'))).toMatchObject({
      presence: 'offline',
      online: false,
      version: 0,
    });
    await alice.next((f) => f.type === 'ack' && f['id'] === 'w1');

    const bob = await connectDevice(system.gateway.httpUrl, {
      user: 'bob',
      device: 'bob-phone',
      platform: 'mobile',
    });
    const online = await alice.next(isType('presence.changed', 'bob'));
    expect(online).toMatchObject({
      presence: 'online',
      display: 'mobile',
      online: true,
      devices: { mobile: 'online' },
    });
    expect(online['version']).toBeGreaterThan(0);
    expect(online['last_active']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // B's own devices see their own status too (as the snapshot or as a change, whichever was first).
    await bob.next(
      (f) =>
        (f.type === 'presence' || f.type === 'presence.changed') &&
        f['user'] === 'bob' &&
        f['online'] === true,
    );
    const metrics = await (await fetch(`${system.gateway.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^presence_gateway_connections\{service="gateway"\} 2$/m);
    expect(metrics).toMatch(/^presence_gateway_watched_users\{service="gateway"\} 2$/m);

    bob.send({ type: 'goodbye', id: 'bye' });
    await bob.next((f) => f.type === 'ack' && f['id'] === 'bye');
    expect((await bob.closed).code).toBe(1000);
    const offline = await alice.next(isType('presence.changed', 'bob'));
    expect(offline).toMatchObject({ presence: 'offline', online: false, devices: {} });
    expect(offline['version']).toBeGreaterThan(online['version'] as number);

    // Changes are published before their batch commits (DESIGN.md), so the row may trail a moment.
    const bobRow = async () =>
      (await system.sql('select * from presence.user_presence where user_id = $1', ['bob']))[0];
    await eventually(
      async () => (await bobRow())?.['version'] === String(offline['version']),
      10_000,
      'the offline row of bob',
    );
    expect(await bobRow()).toMatchObject({
      presence: 'offline',
      display: 'offline',
      online: false,
      devices: {},
      version: String(offline['version']),
    });

    await eventually(
      async () => (await system.presenceRows()).length === 2,
      10_000,
      'rows of alice and bob',
    );
    const before = await system.presenceRows();
    await system.sql('truncate presence.user_presence');
    expect(await system.presenceRows()).toEqual([]);
    const rebuilt = await system.rebuild();
    expect(rebuilt.code, rebuilt.output).toBe(0);
    expect(rebuilt.result).toMatchObject({ rebuilt: 'user_presence', rows: 2 });
    expect(await system.presenceRows()).toEqual(before);
    alice.close();
  });

  it('200 devices connecting and disconnecting at once end in a read model equal to a replay of the log', async () => {
    // Dropped devices stay away for the reconnect grace (RULES.md 1); keep it short here.
    const admin = presenceAdmin(system.aggregator.grpcPort);
    await admin.updateSettings({ reconnectGraceS: 1 });
    admin.close();
    const users = Array.from({ length: 100 }, (_, i) => `load-${i}`);
    const devices = users.flatMap((user) => [
      { user, device: `${user}-desktop`, platform: 'desktop' },
      { user, device: `${user}-phone`, platform: 'mobile' },
    ]);
    const clients = await Promise.all(devices.map((d) => connectDevice(system.gateway.httpUrl, d)));
    await Promise.all(clients.map((client) => client.next(isType('hello'))));
    clients.forEach((client, i) => {
      // Half say goodbye, half just drop: both must end offline.
      if (i % 2 === 0) client.send({ type: 'goodbye' });
      else client.terminate();
    });
    await Promise.all(clients.map((client) => client.closed));

    const offlineRows = async () =>
      (
        await system.sql<{ n: string }>(
          `select count(*) as n from presence.user_presence where user_id like 'load-%' and presence = 'offline'`,
        )
      )[0]!.n;
    await eventually(
      async () => (await offlineRows()) === '100',
      20_000,
      'every load user offline',
    );
    const live = await system.presenceRows();
    expect(live.filter((row) => row.includes('"user_id":"load-'))).toHaveLength(100);

    const rebuilt = await system.rebuild();
    expect(rebuilt.code, rebuilt.output).toBe(0);
    expect(await system.presenceRows()).toEqual(live);
  });
});
