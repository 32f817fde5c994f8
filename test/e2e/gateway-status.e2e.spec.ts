import { partitionOf, Presence, ShareAvailability } from '@presence/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, isType, type DeviceClient, type Frame } from '../support/device-client.js';
import {
  DEFAULT_SETTINGS,
  PARTITIONS,
  startGatewaySystem,
  type GatewaySystem,
} from '../support/gateway-system.js';
import { startService } from '../support/services.js';
import { eventually } from '../support/system.js';

/**
 * The status commands of the device protocol and the workspace state on the gateway: every
 * accepted frame is acked once its fact is in DEVICE_EVENTS, every refused one gets its error code
 * and appends nothing, and `hello` and `presence.disabled`/`enabled` follow the workspace state.
 */
let system: GatewaySystem;
let workspaceVersion = 0;
const clients: DeviceClient[] = [];

beforeAll(async () => {
  system = await startGatewaySystem();
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await system?.stop();
});

const device = async (user: string, name = `${user}-laptop`) => {
  const client = await connectDevice(system.gateway.httpUrl, { user, device: name });
  clients.push(client);
  return { client, hello: await client.next(isType('hello')) };
};

const answer = (client: DeviceClient, id: string): Promise<Frame> =>
  client.next((f) => (f.type === 'ack' || f.type === 'error') && f['id'] === id);

/** Publishes a new workspace state and waits until a fresh device is greeted with it. */
async function setWorkspace(settings: Partial<typeof DEFAULT_SETTINGS>, extra: object = {}) {
  workspaceVersion += 1;
  const full = { ...DEFAULT_SETTINGS, ...settings };
  await system.publishWorkspace({
    settings: full,
    version: String(workspaceVersion),
    ...extra,
  });
  let probes = 0;
  await eventually(
    async () => {
      probes += 1;
      const { client, hello } = await device('probe', `probe-${workspaceVersion}-${probes}`);
      client.close();
      const got = hello['settings'] as Record<string, unknown>;
      return (
        got['idle_timeout_s'] === full.idleTimeoutS &&
        got['allow_invisible'] === full.allowInvisible &&
        got['allow_custom_status_text'] === full.allowCustomStatusText &&
        got['presence_enabled'] === full.presenceEnabled
      );
    },
    10_000,
    `workspace state ${workspaceVersion} in hello`,
  );
}

const lastEvent = async (user: string) => (await system.deviceEvents(user)).at(-1)!;

describe('hello settings', () => {
  it('are the defaults of RULES.md while no workspace state exists', async () => {
    const { hello } = await device('ada');
    expect(hello['settings']).toEqual({
      idle_timeout_s: 300,
      allow_invisible: true,
      allow_custom_status_text: true,
      presence_enabled: true,
    });
  });

  it('follow the published workspace state', async () => {
    await setWorkspace({ idleTimeoutS: 120, allowInvisible: false });
    const { hello } = await device('ben');
    expect(hello['settings']).toEqual({
      idle_timeout_s: 120,
      allow_invisible: false,
      allow_custom_status_text: true,
      presence_enabled: true,
    });
  });

  it('are read from the stream by a gateway that starts after the state was published', async () => {
    const late = await startService('gateway', system.env);
    try {
      const client = await connectDevice(late.httpUrl, { user: 'cleo' });
      const hello = await client.next(isType('hello'));
      client.close();
      expect(hello['settings']).toMatchObject({ idle_timeout_s: 120, allow_invisible: false });
    } finally {
      await late.stop();
    }
  });

  it('ignore a copy older than the one held (a late redelivery)', async () => {
    await system.publishWorkspace({ settings: DEFAULT_SETTINGS, version: '0' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await device('ben', 'ben-phone')).hello['settings']).toMatchObject({
      idle_timeout_s: 120,
      allow_invisible: false,
    });
  });
});

describe('status frames append their fact', () => {
  beforeAll(async () => {
    await setWorkspace(
      {},
      {
        customStatuses: [
          { id: 'cs-lunch', name: 'Lunch', presence: Presence.PRESENCE_AWAY },
          { id: 'cs-hide', name: 'Heads down', presence: Presence.PRESENCE_OFFLINE },
        ],
        minIdleTimeoutS: 90,
      },
    );
  });

  it('status.set: manualStatusSet with the trimmed text and the device, on the user subject', async () => {
    const { client } = await device('dora');
    client.send({ type: 'status.set', id: 's1', presence: 'busy', text: '  In a call 📞 ' });
    expect(await answer(client, 's1')).toEqual({ type: 'ack', id: 's1' });
    const { subject, event } = await lastEvent('dora');
    expect(subject).toBe(`device.v1.${partitionOf('dora', PARTITIONS)}.dora`);
    expect(event).toMatchObject({
      userId: 'dora',
      eventId: expect.any(String),
      occurredAt: expect.any(String),
      event: {
        $case: 'manualStatusSet',
        value: { presence: Presence.PRESENCE_BUSY, text: 'In a call 📞', deviceId: 'dora-laptop' },
      },
    });

    client.send({ type: 'status.set', id: 's2', presence: 'invisible' });
    expect(await answer(client, 's2')).toEqual({ type: 'ack', id: 's2' });
    const cleared = (await lastEvent('dora')).event.event;
    expect(cleared).toEqual({
      $case: 'manualStatusSet',
      value: { presence: Presence.PRESENCE_INVISIBLE, deviceId: 'dora-laptop' },
    });
  });

  it('status.custom: customStatusSelected', async () => {
    const { client } = await device('ella');
    client.send({ type: 'status.custom', id: 'c1', custom_status_id: 'cs-lunch' });
    expect(await answer(client, 'c1')).toEqual({ type: 'ack', id: 'c1' });
    expect((await lastEvent('ella')).event.event).toEqual({
      $case: 'customStatusSelected',
      value: { customStatusId: 'cs-lunch' },
    });
  });

  it('status.text: statusTextSet with its expiry; empty clears', async () => {
    const { client } = await device('finn');
    client.send({ type: 'status.text', id: 't1', text: 'Lunch 🍜', clear_after_s: 3600 });
    expect(await answer(client, 't1')).toEqual({ type: 'ack', id: 't1' });
    expect((await lastEvent('finn')).event.event).toEqual({
      $case: 'statusTextSet',
      value: { text: 'Lunch 🍜', clearAfterS: 3600 },
    });
    client.send({ type: 'status.text', id: 't2', text: '' });
    await answer(client, 't2');
    expect((await lastEvent('finn')).event.event).toEqual({
      $case: 'statusTextSet',
      value: { text: '', clearAfterS: 0 },
    });
  });

  it('preferences.set: preferencesSet; unset fields stay unset', async () => {
    const { client } = await device('gus');
    client.send({
      type: 'preferences.set',
      id: 'p1',
      idle_timeout_s: 90,
      share_availability: 'nobody',
    });
    expect(await answer(client, 'p1')).toEqual({ type: 'ack', id: 'p1' });
    expect((await lastEvent('gus')).event.event).toEqual({
      $case: 'preferencesSet',
      value: { idleTimeoutS: 90, shareAvailability: ShareAvailability.SHARE_AVAILABILITY_NOBODY },
    });
    client.send({ type: 'preferences.set', id: 'p2', share_availability: 'everyone' });
    await answer(client, 'p2');
    expect((await lastEvent('gus')).event.event).toEqual({
      $case: 'preferencesSet',
      value: { shareAvailability: ShareAvailability.SHARE_AVAILABILITY_EVERYONE },
    });
  });
});

describe('refused status frames get their error, append nothing and keep the socket', () => {
  let client: DeviceClient;

  beforeAll(async () => {
    await setWorkspace(
      { allowInvisible: false, allowCustomStatusText: false },
      {
        customStatuses: [
          { id: 'cs-hide', name: 'Heads down', presence: Presence.PRESENCE_OFFLINE },
        ],
        minIdleTimeoutS: 90,
      },
    );
    client = (await device('hana')).client;
  });

  it.each([
    [
      'invisible while disallowed',
      { type: 'status.set', presence: 'invisible' },
      'invisible_not_allowed',
    ],
    [
      'text while disallowed',
      { type: 'status.set', presence: 'busy', text: 'x' },
      'status_text_not_allowed',
    ],
    ['status.text while disallowed', { type: 'status.text', text: 'x' }, 'status_text_not_allowed'],
    [
      'a custom status mapped to invisible',
      { type: 'status.custom', custom_status_id: 'cs-hide' },
      'invisible_not_allowed',
    ],
    [
      'an unknown custom status',
      { type: 'status.custom', custom_status_id: 'cs-gone' },
      'custom_status_not_found',
    ],
    [
      'text over 120 code points',
      { type: 'status.set', presence: 'busy', text: '😀'.repeat(121) },
      'status_text_too_long',
    ],
    ['control characters', { type: 'status.text', text: 'a\u0000b' }, 'invalid_status_text'],
    [
      'an idle timeout below the minimum',
      { type: 'preferences.set', idle_timeout_s: 89 },
      'idle_timeout_too_short',
    ],
    ['a wrong presence', { type: 'status.set', presence: 'offline' }, 'invalid_field'],
    ['a wrong field type', { type: 'preferences.set', idle_timeout_s: '300' }, 'invalid_field'],
    [
      'an expiry over 7 days',
      { type: 'status.text', text: '', clear_after_s: 604_801 },
      'invalid_field',
    ],
  ])('%s', async (_name, frame, code) => {
    const before = (await system.deviceEvents('hana')).length;
    const id = `r-${code}-${Math.random()}`;
    client.send({ ...frame, id });
    expect(await answer(client, id)).toEqual({
      type: 'error',
      id,
      code,
      message: expect.any(String),
    });
    expect((await system.deviceEvents('hana')).length).toBe(before);
  });

  it('is still served afterwards', async () => {
    client.send({ type: 'status.set', id: 'ok', presence: 'away' });
    expect(await answer(client, 'ok')).toEqual({ type: 'ack', id: 'ok' });
  });
});

const isSwitch = (f: Frame) => f.type === 'presence.disabled' || f.type === 'presence.enabled';

describe('presence switch', () => {
  it('tells every connected device when presence_enabled flips, and only then', async () => {
    const { client: one } = await device('ivy');
    const { client: two } = await device('jon');
    await setWorkspace({ presenceEnabled: false });
    expect(await one.next(isSwitch)).toEqual({ type: 'presence.disabled' });
    expect(await two.next(isSwitch)).toEqual({ type: 'presence.disabled' });
    const { hello } = await device('kim');
    expect(hello['settings']).toMatchObject({ presence_enabled: false });

    // Another change that keeps presence off says nothing more.
    await setWorkspace({ presenceEnabled: false, idleTimeoutS: 200 });
    await setWorkspace({ presenceEnabled: true });
    expect(await one.next(isSwitch)).toEqual({ type: 'presence.enabled' });
    expect(await two.next(isSwitch)).toEqual({ type: 'presence.enabled' });
  });
});
