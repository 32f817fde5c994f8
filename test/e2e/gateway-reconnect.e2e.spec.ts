import { createPresenceClient, type PresenceClient } from '@presence/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { deviceToken } from '../support/device-client.js';
import { startService } from '../support/services.js';
import { eventually, startPresenceSystem, type PresenceSystem } from '../support/system.js';

/**
 * Issue 4: kill the gateway process under 1,000 connected SDK clients and start it again. Every
 * client reconnects by itself, its watches are restored (a change made after the restart reaches
 * every watcher), presence is right (everyone online with one device, in the read model too), and
 * the log leaves no ghost: once all say goodbye, nobody is online.
 */
const N = 1_000;
const user = (i: number) => `ring${(i + N) % N}`;
const watchedBy = (i: number) => [user(i + 1), user(i + 2)];

let system: PresenceSystem;
const clients: PresenceClient[] = [];

beforeAll(async () => {
  system = await startPresenceSystem({
    // The killed gateway is declared lost quickly, so its sessions are ended within the test.
    GATEWAY_HEARTBEAT_MS: '300',
    GATEWAY_LIVENESS_TIMEOUT_MS: '2000',
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  await system?.stop();
});

const onlineCount = async () =>
  Number(
    (
      await system.sql<{ n: string }>(
        `select count(*)::text as n from presence.user_presence
         where presence = 'online' and devices = '{"desktop":"online"}'::jsonb`,
      )
    )[0]!.n,
  );

/** Every client sees both users it watches as `presence` (and status text `text`, when given). */
const converged = (presence: string, text?: string) => () =>
  Promise.resolve(
    clients.every((client, i) =>
      watchedBy(i).every((watched) => {
        const view = client.presenceOf(watched);
        return view?.presence === presence && (text === undefined || view.status_text === text);
      }),
    ),
  );

describe('gateway restart under 1,000 SDK clients', () => {
  it('re-converges: watches restored, presence correct, no ghost online users', async () => {
    const url = system.gateway.httpUrl;
    for (let i = 0; i < N; i++) {
      clients.push(
        createPresenceClient({
          url,
          token: () => deviceToken(user(i)),
          deviceId: `${user(i)}-laptop`,
          platform: 'desktop',
          WebSocket,
          reconnect: { initialMs: 200, maxMs: 2_000 },
        }),
      );
    }
    await Promise.all(clients.map((client, i) => client.watch(watchedBy(i))));
    await eventually(converged('online'), 60_000, 'every watcher to see its users online');
    await eventually(async () => (await onlineCount()) === N, 30_000, 'the read model');

    await system.gateway.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    system.gateway = await startService('gateway', {
      ...system.env,
      GATEWAY_HTTP_PORT: String(system.gateway.httpPort),
      GATEWAY_GRPC_PORT: String(system.gateway.grpcPort),
    });
    await eventually(
      () => Promise.resolve(clients.every((client) => client.state === 'open')),
      60_000,
      'every client to reconnect',
    );
    // Changes after the restart reach every watcher: the watches were restored on the new gateway.
    await Promise.all(clients.map((client) => client.setStatus('busy', 'after restart')));
    await eventually(converged('busy', 'after restart'), 60_000, 'watchers to see busy');
    await Promise.all(clients.map((client) => client.setStatus('online')));
    await eventually(converged('online'), 60_000, 'watchers to see online again');
    // One live device per user: the killed gateway's sessions were ended, not left online.
    await eventually(async () => (await onlineCount()) === N, 30_000, 'one device per user');

    await Promise.all(clients.splice(0).map((client) => client.close()));
    await eventually(
      async () =>
        (
          await system.sql<{ n: string }>(
            `select count(*)::text as n from presence.user_presence where presence <> 'offline'`,
          )
        )[0]!.n === '0',
      30_000,
      'everyone offline after goodbye',
    );
    const rows = await system.sql<{ n: string }>(
      'select count(*)::text as n from presence.user_presence',
    );
    expect(rows[0]!.n).toBe(String(N));
  }, 240_000);
});
