import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer } from './nats-server.js';
import type { NatsServerHandle } from './nats-server.js';

interface Varz {
  port: number;
  jetstream?: { config?: { store_dir?: string; max_memory?: number } };
}
interface Jsz {
  streams: number;
  messages: number;
}

async function monitor<T>(server: NatsServerHandle, path: string): Promise<T> {
  const response = await fetch(`${server.monitorUrl}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/**
 * Speaks just enough of the NATS text protocol to publish (and, with `reply`, wait for the
 * answer): this lib must not depend on a NATS client, and the test needs JetStream data.
 */
function natsPublish(
  port: number,
  subject: string,
  payload: string,
  reply = false,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const inbox = reply ? ' _INBOX.test' : '';
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      const message = /MSG _INBOX\.test 1 (\d+)\r\n/.exec(received);
      const body = message ? received.slice(message.index + message[0].length) : '';
      if (message && Buffer.byteLength(body) >= Number(message[1]))
        socket.end(() => resolve(body.slice(0, Number(message[1]))));
      if (!reply && received.includes('PONG')) socket.end(() => resolve(''));
      if (received.includes('-ERR')) reject(new Error(received));
    });
    socket.write(`CONNECT {"verbose":false}\r\n${reply ? 'SUB _INBOX.test 1\r\n' : ''}`);
    socket.write(`PUB ${subject}${inbox} ${Buffer.byteLength(payload)}\r\n${payload}\r\nPING\r\n`);
  });
}

async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('startNatsServer', () => {
  let server: NatsServerHandle;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('serves /varz with JetStream enabled and store limits set', async () => {
    const varz = await monitor<Varz>(server, '/varz');
    expect(varz.port).toBe(server.port);
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(varz.jetstream?.config?.store_dir).toContain(server.dir);
    expect(varz.jetstream?.config?.max_memory).toBe(1_000_000_000);
  });

  it('keeps its port and JetStream data across kill() and restart()', async () => {
    const created = await natsPublish(
      server.port,
      '$JS.API.STREAM.CREATE.KEEP',
      JSON.stringify({ name: 'KEEP', subjects: ['keep.>'], storage: 'file' }),
      true,
    );
    expect(JSON.parse(created)).toMatchObject({ config: { name: 'KEEP' } });
    await natsPublish(server.port, 'keep.one', 'hello');
    await eventually(async () =>
      expect(await monitor<Jsz>(server, '/jsz')).toMatchObject({ streams: 1, messages: 1 }),
    );

    server.kill();
    await server.restart();
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect((await monitor<Varz>(server, '/varz')).port).toBe(server.port);
    expect(await monitor<Jsz>(server, '/jsz')).toMatchObject({ streams: 1, messages: 1 });

    await server.restart(); // graceful stop this time
    expect(await monitor<Jsz>(server, '/jsz')).toMatchObject({ streams: 1, messages: 1 });
  });
});

describe('startNatsServer({ jetstream: false })', () => {
  it('starts a core-only server, and stop() removes its dir', async () => {
    const server = await startNatsServer({ jetstream: false });
    const varz = await monitor<Varz>(server, '/varz');
    expect(varz.jetstream?.config).toBeUndefined();
    await server.stop();
    expect(existsSync(server.dir)).toBe(false);
  });
});
