import { request } from 'node:http';
import { Counter } from 'prom-client';
import { NotFoundError } from '@presence/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, startHttpServer } from './http-server.js';
import type { HttpServerHandle, HttpServerOptions } from './http-server.js';
import { createMetrics } from './metrics.js';
import { captureLogger } from './testing-fixtures/capture-logger.js';

const servers: HttpServerHandle[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(
  overrides: Partial<HttpServerOptions> = {},
): Promise<{ base: string; handle: HttpServerHandle }> {
  const { registry } = createMetrics({ service: 'kit-test' });
  const handle = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: captureLogger().logger,
    registry,
    readiness: () => ({ nats: true, postgres: true }),
    ...overrides,
  });
  servers.push(handle);
  return { base: `http://127.0.0.1:${handle.port}`, handle };
}

describe('startHttpServer', () => {
  it('binds a free port for port 0 and answers /healthz', async () => {
    const { base, handle } = await start();
    expect(handle.port).toBeGreaterThan(0);
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when every check passes and 503 otherwise', async () => {
    let checks = { nats: true, postgres: true };
    const { base } = await start({ readiness: async () => checks });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { nats: true, postgres: true } });

    checks = { nats: true, postgres: false };
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'not_ready',
      checks: { nats: true, postgres: false },
    });
  });

  it('answers 503 when a readiness check throws', async () => {
    const { base } = await start({ readiness: () => Promise.reject(new Error('pool gone')) });
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'not_ready', checks: {} });
  });

  it('serves Prometheus text with default metrics, the service label and custom instruments', async () => {
    const metrics = createMetrics({ service: 'gateway' });
    new Counter({
      name: 'presence_ws_frames_total',
      help: 'frames received',
      registers: [metrics.registry],
    }).inc(3);
    const { base } = await start({ registry: metrics.registry });
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('process_cpu_user_seconds_total{service="gateway"}');
    expect(text).toContain('presence_ws_frames_total{service="gateway"} 3');
  });

  it('tries the service routes for other paths, then answers a JSON 404', async () => {
    const { base } = await start({
      handle: (req, res) => {
        if (req.method !== 'POST' || !req.url?.startsWith('/v1/webhooks/')) return false;
        if (req.url.includes('missing'))
          throw new NotFoundError('webhook_not_found', 'webhook "missing" does not exist');
        sendJson(res, 200, { message_id: 'm1' });
        return true;
      },
    });
    const handled = await fetch(`${base}/v1/webhooks/w1?token=t`, { method: 'POST', body: '{}' });
    expect(await handled.json()).toEqual({ message_id: 'm1' });

    const domainError = await fetch(`${base}/v1/webhooks/missing`, { method: 'POST' });
    expect(domainError.status).toBe(404);
    expect(await domainError.json()).toEqual({
      error: 'webhook_not_found',
      message: 'webhook "missing" does not exist',
    });

    const unknown = await fetch(`${base}/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'not_found', message: 'no route for GET /nope' });

    const wrongMethod = await fetch(`${base}/healthz`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
  });

  it('hides the text of an unexpected error behind a 500', async () => {
    const { base } = await start({
      handle: () => {
        throw new Error('password=hunter2');
      },
    });
    const response = await fetch(`${base}/anything`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'internal', message: 'internal error' });
  });

  it('leaves upgrade requests to an upgrade listener on the returned server', async () => {
    const { handle } = await start();
    handle.server.on('upgrade', (_req, socket) => {
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n',
      );
    });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: handle.port,
        path: '/v1/ws',
        headers: { connection: 'upgrade', upgrade: 'test' },
      });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode);
      });
      req.on('response', (res) => resolve(res.statusCode));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(101);
  });

  it('close() ends idle keep-alive connections instead of waiting for them', async () => {
    const { base, handle } = await start();
    await (await fetch(`${base}/healthz`, { headers: { connection: 'keep-alive' } })).text();
    servers.splice(servers.indexOf(handle), 1);
    const started = performance.now();
    await handle.close(10_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
