import { WebSocket } from 'ws';
import {
  createPresenceClient,
  isPresenceError,
  type PresenceClient,
  type PresenceClientEvent,
  type PresenceClientEvents,
  type PresenceClientOptions,
} from '@presence/client';
import { DisconnectReason, Display, Presence } from '@presence/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceToken } from '../support/device-client.js';
import { startGatewaySystem, type GatewaySystem } from '../support/gateway-system.js';
import { startService, type ServiceProcess } from '../support/services.js';

/**
 * The client SDK (`@presence/client`) against the real gateway process and a real nats-server,
 * with the test standing in for the presence-aggregator (it publishes the views). Node 20 has no
 * global WebSocket, so the SDK gets the one of `ws`, as a Node application would pass it.
 */
let system: GatewaySystem;
/** The gateway now serving the system's address (replaced by the restart test). */
let gateway: ServiceProcess;
const clients: PresenceClient[] = [];

beforeAll(async () => {
  // A short drain spread, so the drain test does not wait up to the production 5 s.
  system = await startGatewaySystem({ GATEWAY_DRAIN_SPREAD_MS: '200' });
  gateway = system.gateway;
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  if (gateway !== system?.gateway) await gateway.stop();
  await system?.stop();
});

type Recorded = { [K in PresenceClientEvent]: [K, PresenceClientEvents[K]] }[PresenceClientEvent];

/** Records every event of a client and waits for the next one that matches, like DeviceClient. */
class Events {
  readonly all: Recorded[] = [];
  private cursor = 0;
  private wake: (() => void) | undefined;

  constructor(client: PresenceClient) {
    for (const name of EVENT_NAMES) {
      client.on(name, (payload) => {
        this.all.push([name, payload] as Recorded);
        this.wake?.();
      });
    }
  }

  of<K extends PresenceClientEvent>(name: K): PresenceClientEvents[K][] {
    return this.all.filter(([n]) => n === name).map(([, p]) => p as PresenceClientEvents[K]);
  }

  /** The next event `name` after the last one returned that matches. */
  async next<K extends PresenceClientEvent>(
    name: K,
    match: (payload: PresenceClientEvents[K]) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<PresenceClientEvents[K]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.all.length) {
        const [n, payload] = this.all[this.cursor++]!;
        if (n === name && match(payload as PresenceClientEvents[K])) {
          return payload as PresenceClientEvents[K];
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no ${name} event within ${timeoutMs} ms; got ${JSON.stringify(this.all)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

const EVENT_NAMES: readonly PresenceClientEvent[] = [
  'hello',
  'presence',
  'presence.changed',
  'reconnect',
  'error',
  'open',
  'close',
  'state',
];

/** A fast reconnect, so the restart test does not wait for the production backoff. */
const reconnect = { initialMs: 50, maxMs: 500, factor: 2, jitter: 1 };

function connect(user: string, options: Partial<PresenceClientOptions> = {}) {
  const client = createPresenceClient({
    url: gateway.httpUrl,
    token: () => deviceToken(user),
    deviceId: `${user}-laptop`,
    platform: 'desktop',
    WebSocket,
    reconnect,
    ...options,
  });
  clients.push(client);
  return { client, events: new Events(client) };
}

const view = (userId: string, version: number, presence = Presence.PRESENCE_ONLINE) =>
  system.publishView({
    userId,
    version: String(version),
    presence,
    display: presence === Presence.PRESENCE_BUSY ? Display.DISPLAY_BUSY : Display.DISPLAY_AVAILABLE,
    online: true,
  });

describe('client SDK on the real gateway', () => {
  it('connects and is greeted with hello', async () => {
    const { client, events } = connect('ada');
    const hello = await events.next('hello');
    expect(hello).toMatchObject({
      user: 'ada',
      device: 'ada-laptop',
      settings: { idle_timeout_s: 300, presence_enabled: true },
    });
    expect(client.state).toBe('open');
    expect(events.of('state')).toEqual(['connecting', 'open']);
    expect(client.presenceOf('ada')?.user).toBe('ada');
  });

  it('watch: the snapshot before the ack, then presence.changed in version order', async () => {
    await view('bob', 1);
    const { client, events } = connect('cleo');
    await events.next('open');
    await client.watch(['bob']);
    // The gateway sends the snapshots of a watch before its ack.
    expect(events.of('presence').filter((v) => v.user === 'bob')).toMatchObject([
      { user: 'bob', presence: 'online', version: 1 },
    ]);
    await view('bob', 2, Presence.PRESENCE_BUSY);
    const changed = await events.next('presence.changed', (v) => v.user === 'bob');
    expect(changed).toMatchObject({ type: 'presence.changed', presence: 'busy', version: 2 });
    expect(client.presenceOf('bob')).toMatchObject({ presence: 'busy', display: 'busy' });
  });

  it('setStatus is acked once its fact is in DEVICE_EVENTS', async () => {
    const { client, events } = connect('dora');
    await events.next('open');
    await client.setStatus('busy', 'In a call');
    const last = (await system.deviceEvents('dora')).at(-1)!;
    expect(last.event.event).toEqual({
      $case: 'manualStatusSet',
      value: { presence: Presence.PRESENCE_BUSY, text: 'In a call', deviceId: 'dora-laptop' },
    });
  });

  it("a frame the gateway refuses rejects the request with the gateway's code", async () => {
    const { client, events } = connect('ella');
    await events.next('open');
    const refused = await client.setPreferences({ idle_timeout_s: 30 }).catch((e: unknown) => e);
    expect(isPresenceError(refused, 'idle_timeout_too_short')).toBe(true);
    const bad = await client.setStatus('sleeping' as 'busy').catch((e: unknown) => e);
    expect(bad).toMatchObject({
      code: 'invalid_field',
      message: expect.stringMatching(/presence/),
    });
    // The socket stays open and the session goes on.
    await client.setStatusText('still here');
    expect(events.of('close')).toEqual([]);
  });

  it('close() says goodbye: the session ends as a goodbye, and no reconnect follows', async () => {
    const { client, events } = connect('fred');
    const hello = await events.next('hello');
    await client.close();
    expect(client.state).toBe('closed');
    expect(events.of('close')).toEqual([{ code: 1000, reason: 'goodbye', willReconnect: false }]);
    const last = (await system.deviceEvents('fred')).at(-1)!;
    expect(last.event.event).toEqual({
      $case: 'deviceDisconnected',
      value: {
        deviceId: 'fred-laptop',
        sessionId: hello.session,
        reason: DisconnectReason.DISCONNECT_REASON_GOODBYE,
      },
    });
  });

  it('4401 with a bad token: one fresh token, then it stops without reconnecting', async () => {
    let asked = 0;
    const { client, events } = connect('gus', {
      token: () => {
        asked += 1;
        return deviceToken('gus', { secret: 'not-the-gateway-secret' });
      },
    });
    const final = await events.next('close', (close) => !close.willReconnect);
    expect(final).toEqual({ code: 4401, reason: 'invalid token', willReconnect: false });
    expect(events.of('close')).toHaveLength(2);
    expect(asked).toBe(2);
    expect(client.state).toBe('closed');
    expect(events.of('hello')).toEqual([]);
  });

  it('4401 with a fixed expired token: stops at once', async () => {
    const token = await deviceToken('hana', { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const { client, events } = connect('hana', { token });
    const close = await events.next('close');
    expect(close).toEqual({ code: 4401, reason: 'token expired', willReconnect: false });
    expect(client.state).toBe('closed');
  });
});

/** A new gateway process on the address the clients know (the system's first gateway's ports). */
const restartGateway = async () => {
  gateway = await startService('gateway', {
    ...system.env,
    GATEWAY_HTTP_PORT: String(system.gateway.httpPort),
    GATEWAY_GRPC_PORT: String(system.gateway.grpcPort),
  });
};

describe('client SDK token refresh', () => {
  it('refreshToken: a token of the same user is acked, one of another user refused', async () => {
    const { client, events } = connect('mona');
    await events.next('open');
    await client.refreshToken(await deviceToken('mona'));
    const refused = await client.refreshToken(await deviceToken('nils')).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'invalid_token' });
  });

  it('keeps a session past the expiry of its first token by refreshing it in time', async () => {
    // Three-second tokens: without auth.refresh the gateway would close with 4401 at `exp`.
    const { client, events } = connect('otto', {
      token: () => deviceToken('otto', { expiresIn: '3s' }),
    });
    await events.next('open');
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    await client.activity();
    expect(events.of('close')).toEqual([]);
    expect(events.of('open')).toHaveLength(1);
  });
});

describe('client SDK across gateway restarts', () => {
  it('reconnects to the restarted gateway and restores its watches', async () => {
    await view('ivan', 1);
    const { client, events } = connect('jane');
    await events.next('open');
    await client.watch(['ivan']);

    await gateway.kill();
    const lost = await events.next('close');
    expect(lost).toMatchObject({ code: 1006, willReconnect: true });
    await restartGateway();

    expect(await events.next('open')).toMatchObject({ reconnected: true });
    // The restored watch brings the snapshot again (same version: kept), then the new change.
    await events.next('presence', (v) => v.user === 'ivan');
    await view('ivan', 2, Presence.PRESENCE_BUSY);
    const changed = await events.next('presence.changed', (v) => v.user === 'ivan');
    expect(changed).toMatchObject({ presence: 'busy', version: 2 });
    expect(client.presenceOf('ivan')?.version).toBe(2);
    expect(events.of('state')).toEqual(
      expect.arrayContaining(['connecting', 'open', 'reconnecting']),
    );
  }, 60_000);

  it('follows a drain: the reconnect frame, no goodbye, back once a gateway serves again', async () => {
    await view('kim', 1);
    const { client, events } = connect('lena');
    const hello = await events.next('hello');
    await client.watch(['kim']);

    const stopped = gateway.stop();
    const drain = await events.next('reconnect');
    expect(drain).toMatchObject({ reason: 'gateway shutting down' });
    expect(drain.after_ms).toBeLessThanOrEqual(200);
    const close = await events.next('close');
    expect(close.willReconnect).toBe(true);
    expect(close.delayMs).toBeGreaterThanOrEqual(drain.after_ms);
    expect(close.delayMs).toBeLessThanOrEqual(drain.after_ms + reconnect.initialMs);
    expect(await stopped).toBe(0);
    // No goodbye: the session ended as a drain, which the reconnect grace covers.
    const last = (await system.deviceEvents('lena')).at(-1)!;
    expect(last.event.event).toMatchObject({
      $case: 'deviceDisconnected',
      value: { sessionId: hello.session, reason: DisconnectReason.DISCONNECT_REASON_GATEWAY_DRAIN },
    });

    await restartGateway();
    expect(await events.next('open')).toMatchObject({ reconnected: true });
    await events.next('presence', (v) => v.user === 'kim');
    await view('kim', 2, Presence.PRESENCE_AWAY);
    expect(await events.next('presence.changed', (v) => v.user === 'kim')).toMatchObject({
      presence: 'away',
      version: 2,
    });
  }, 60_000);
});
