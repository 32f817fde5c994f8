import { credentials, type ServiceError } from '@grpc/grpc-js';
import { Presence, PresenceServiceClient, type PresenceView } from '@presence/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presenceAdmin, type PresenceAdmin } from '../support/admin.js';
import { connectDevice, type DeviceClient, type Frame } from '../support/device-client.js';
import { startService, type ServiceProcess } from '../support/services.js';
import { eventually, startPresenceSystem, type PresenceSystem } from '../support/system.js';

/**
 * The presence rules end to end through the gateway WebSocket, with the real aggregator: timers
 * (idle, grace) and gateway liveness shortened by configuration so they fire within the test.
 */
let system: PresenceSystem;
let admin: PresenceAdmin;
const clients: DeviceClient[] = [];
const extra: ServiceProcess[] = [];

beforeAll(async () => {
  system = await startPresenceSystem({
    PRESENCE_MIN_IDLE_TIMEOUT_S: '1',
    AGGREGATOR_TIMER_TICK_MS: '50',
    GATEWAY_HEARTBEAT_MS: '200',
    GATEWAY_LIVENESS_TIMEOUT_MS: '1500',
    // Rows are committed a second after the changes: GetPresenceAt must still see them at once.
    AGGREGATOR_COMMIT_INTERVAL_MS: '1000',
  });
  admin = presenceAdmin(system.aggregator.grpcPort);
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.close();
  admin?.close();
  await Promise.all(extra.map((service) => service.stop()));
  await system?.stop();
});

async function device(
  user: string,
  device: string,
  platform = 'desktop',
  url = system.gateway.httpUrl,
) {
  const client = await connectDevice(url, { user, device, platform });
  clients.push(client);
  await client.next((f) => f.type === 'hello');
  return client;
}

async function watcher(...users: string[]): Promise<DeviceClient> {
  const client = await device(`watcher-${users.join('-')}`, 'w');
  client.send({ type: 'watch', id: 'w', users });
  await client.next((f) => f.type === 'ack' && f['id'] === 'w');
  return client;
}

async function gatewayConnections(): Promise<number> {
  const metrics = await (await fetch(`${system.gateway.httpUrl}/metrics`)).text();
  return Number(/^presence_gateway_connections\{[^}]*\} (\d+)$/m.exec(metrics)?.[1]);
}

/** The next `presence.changed` of `user` that matches `expected`. */
function changeOf(
  client: DeviceClient,
  user: string,
  expected: Record<string, unknown>,
  timeoutMs = 10_000,
) {
  return client.next(
    (f: Frame) =>
      f.type === 'presence.changed' &&
      f['user'] === user &&
      Object.entries(expected).every(
        ([key, value]) => JSON.stringify(f[key]) === JSON.stringify(value),
      ),
    timeoutMs,
  );
}

describe('presence rules through the gateway', () => {
  it('multi-device: the best device wins, and mobile-only shows as mobile', async () => {
    const w = await watcher('multi');
    const laptop = await device('multi', 'laptop');
    await changeOf(w, 'multi', { presence: 'online', display: 'available' });
    const phone = await device('multi', 'phone', 'mobile');
    await changeOf(w, 'multi', { devices: { desktop: 'online', mobile: 'online' } });
    laptop.send({ type: 'device', state: 'locked' });
    await changeOf(w, 'multi', { presence: 'online', display: 'mobile' });
    phone.send({ type: 'device', state: 'background' });
    await changeOf(w, 'multi', { presence: 'away', display: 'idle' });
  });

  it('manual busy overrides the devices, with text, and online returns to automatic', async () => {
    const w = await watcher('busy');
    const laptop = await device('busy', 'laptop');
    await changeOf(w, 'busy', { presence: 'online' });
    laptop.send({ type: 'status.set', id: 1, presence: 'busy', text: 'in a meeting' });
    await laptop.next((f) => f.type === 'ack' && f['id'] === 1);
    await changeOf(w, 'busy', { presence: 'busy', display: 'busy', status_text: 'in a meeting' });
    laptop.send({ type: 'status.set', presence: 'online' });
    const back = await changeOf(w, 'busy', { presence: 'online' });
    expect(back['status_text']).toBeUndefined();
  });

  it('idle -> away after a short configured timeout, and activity brings it back', async () => {
    const w = await watcher('idler');
    const laptop = await device('idler', 'laptop');
    laptop.send({ type: 'preferences.set', id: 'p', idle_timeout_s: 1 });
    await laptop.next((f) => f.type === 'ack' && f['id'] === 'p');
    await changeOf(w, 'idler', { presence: 'away', display: 'idle' }, 5_000);
    laptop.send({ type: 'activity' });
    await changeOf(w, 'idler', { presence: 'online' });
  });

  it('an abnormal close is away during the grace, then offline', async () => {
    await admin.updateSettings({ reconnectGraceS: 2 });
    const w = await watcher('dropper');
    const laptop = await device('dropper', 'laptop');
    await changeOf(w, 'dropper', { presence: 'online' });
    laptop.terminate();
    await changeOf(w, 'dropper', { presence: 'away' });
    const started = Date.now();
    await changeOf(w, 'dropper', { presence: 'offline' }, 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('invisible: watchers see offline, own devices see invisible', async () => {
    const w = await watcher('ghost');
    const laptop = await device('ghost', 'laptop');
    const phone = await device('ghost', 'phone', 'mobile');
    await changeOf(w, 'ghost', { presence: 'online' });
    laptop.send({ type: 'status.set', presence: 'invisible' });
    await changeOf(w, 'ghost', { presence: 'offline', online: false, devices: {} });
    await phone.next((f) => f.type === 'presence.changed' && f['presence'] === 'invisible');
  });

  it('a custom status edited by an admin updates its holders', async () => {
    const id = await admin.createCustomStatus({ name: 'Lunch', presence: Presence.PRESENCE_AWAY });
    const w = await watcher('luncher');
    const laptop = await device('luncher', 'laptop');
    await changeOf(w, 'luncher', { presence: 'online' });
    laptop.send({ type: 'status.custom', id: 'c', custom_status_id: id });
    await laptop.next((f) => f.type === 'ack' && f['id'] === 'c');
    await changeOf(w, 'luncher', { presence: 'away', status_text: 'Lunch' });
    await admin.updateCustomStatus({ id, name: 'Long lunch', presence: Presence.PRESENCE_BUSY });
    await changeOf(w, 'luncher', { presence: 'busy', status_text: 'Long lunch' });
    await admin.deleteCustomStatus(id);
    await changeOf(w, 'luncher', { presence: 'online' });
  });

  it('GetPresenceAt answers from the history of public changes', async () => {
    const w = await watcher('traveller');
    const laptop = await device('traveller', 'laptop');
    const online = await changeOf(w, 'traveller', { presence: 'online' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const between = new Date().toISOString();
    // History has millisecond resolution: make sure the change comes strictly after `between`.
    await new Promise((resolve) => setTimeout(resolve, 20));
    laptop.send({ type: 'status.set', presence: 'away' });
    await changeOf(w, 'traveller', { presence: 'away' });
    // Committed with `away` a moment ago, the partition commits `busy` only a second later.
    laptop.send({ type: 'status.set', presence: 'busy' });
    await changeOf(w, 'traveller', { presence: 'busy' });
    const grpc = new PresenceServiceClient(
      `127.0.0.1:${system.gateway.grpcPort}`,
      credentials.createInsecure(),
    );
    const at = (when: string | undefined) =>
      new Promise<PresenceView>((resolve, reject) =>
        grpc.getPresenceAt({ userId: 'traveller', at: when }, (error: ServiceError | null, r) =>
          error ? reject(error) : resolve(r.presence!),
        ),
      );
    // Asked at once, before the partition's next commit: the query waits for it.
    expect(await at(new Date().toISOString())).toMatchObject({ presence: Presence.PRESENCE_BUSY });
    expect(await at(between)).toMatchObject({
      presence: Presence.PRESENCE_ONLINE,
      version: String(online['version']),
    });
    expect(await at('2020-01-01T00:00:00Z')).toMatchObject({
      presence: Presence.PRESENCE_OFFLINE,
      version: '0',
    });
    await expect(at(undefined)).rejects.toMatchObject({
      code: 3,
      details: expect.stringContaining('at'),
    });
    grpc.close();
  });

  it('the connection cap switches presence off, refuses re-enabling above it, and re-enables below the mark', async () => {
    const w = await watcher('capped');
    const laptop = await device('capped', 'laptop');
    await changeOf(w, 'capped', { presence: 'online' });
    // Connections are counted from the gateway heart-beats: the cap is what is open now.
    const open = await gatewayConnections();
    await admin.updateSettings({ maxConnections: open, autoReenableBelow: open - 1 });
    const phone = await device('capped', 'phone', 'mobile');
    await w.next((f) => f.type === 'presence.disabled', 10_000);
    await expect(admin.updateSettings({ presenceEnabled: true })).rejects.toMatchObject({
      code: 9,
      details: expect.stringContaining('max_connections'),
    });
    // While off, changes are recorded but not broadcast.
    phone.send({ type: 'status.set', id: 'b', presence: 'busy' });
    await phone.next((f) => f.type === 'ack' && f['id'] === 'b');
    phone.send({ type: 'goodbye' });
    laptop.send({ type: 'goodbye' });
    await w.next((f) => f.type === 'presence.enabled', 10_000);
    // Back on: the view that changed meanwhile is published (it may overtake `presence.enabled`,
    // which travels on its own subject), and nothing from while it was off.
    const disabledAt = w.frames.findIndex((f) => f.type === 'presence.disabled');
    const cappedSince = () =>
      w.frames
        .slice(disabledAt)
        .filter((f) => f['user'] === 'capped')
        .map((f) => f['presence']);
    await eventually(async () => cappedSince().length > 0, 5_000, 'the republished view');
    expect(cappedSince()).toEqual(['offline']);
    await admin.updateSettings({ maxConnections: 0, autoReenableBelow: 0 });
  });

  it('a killed gateway leaves no ghost: its devices go offline within the liveness timeout', async () => {
    const doomed = await startService('gateway', { ...system.env, GATEWAY_HEARTBEAT_MS: '200' });
    const w = await watcher('ghostless');
    await device('ghostless', 'laptop', 'desktop', doomed.httpUrl);
    await changeOf(w, 'ghostless', { presence: 'online' });
    const killedAt = Date.now();
    await doomed.kill();
    await changeOf(w, 'ghostless', { presence: 'offline' }, 10_000);
    // Liveness timeout 1.5 s here (10 s by default, within the rule's 15 s).
    expect(Date.now() - killedAt).toBeLessThan(5_000);
  });
});
