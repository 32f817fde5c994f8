import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { toHttpError } from './error-mapping.js';

/** Named readiness checks, e.g. `{ nats: true, postgres: false }`. */
export type ReadinessChecks = Record<string, boolean>;

/** Options for {@link startHttpServer}. */
export interface HttpServerOptions {
  readonly host: string;
  /** `0` binds any free port; the bound one is returned. */
  readonly port: number;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Called on every `GET /readyz`; ready only when every check is `true`. */
  readonly readiness: () => Promise<ReadinessChecks> | ReadinessChecks;
  /**
   * Routes of the service itself (webhooks, ...), tried for every path the kit does not serve.
   * Return `true` when the request was handled, `false` to fall through to 404. A thrown domain
   * error becomes its HTTP status with `{"error", "message"}`; anything else a plain 500.
   */
  readonly handle?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
}

/** A running HTTP server. */
export interface HttpServerHandle {
  /** The node server, e.g. for the gateway's WebSocket `upgrade` listener (the kit never consumes upgrades). */
  readonly server: Server;
  readonly port: number;
  /**
   * Stops accepting, lets in-flight requests finish for `graceMs`, then cuts every connection.
   * Upgraded (WebSocket) sockets are not HTTP connections any more: close them first.
   */
  close(graceMs?: number): Promise<void>;
}

/** Sends a JSON body with the right headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/**
 * Starts the service's HTTP server: `GET /healthz` (the process is alive), `GET /readyz` (200 when
 * every readiness check passes, else 503, both listing the checks), `GET /metrics` (Prometheus
 * text), then the service's own `handle`, then a JSON 404.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const { logger, registry, readiness, handle } = options;

  const builtIn: Record<string, (res: ServerResponse) => Promise<void> | void> = {
    '/healthz': (res) => sendJson(res, 200, { status: 'ok' }),
    '/readyz': async (res) => {
      let checks: ReadinessChecks;
      try {
        checks = await readiness();
      } catch (err) {
        // A check that throws means "cannot tell", which for a load balancer is "not ready".
        logger.warn({ err }, 'readiness check failed');
        return sendJson(res, 503, { status: 'not_ready', checks: {} });
      }
      const ready = Object.values(checks).every(Boolean);
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks });
    },
    '/metrics': async (res) => {
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    },
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const serve = Object.hasOwn(builtIn, path) ? builtIn[path] : undefined;
    if (serve && (req.method === 'GET' || req.method === 'HEAD')) return serve(res);
    if (handle && (await handle(req, res))) return;
    if (serve) {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, {
        error: 'method_not_allowed',
        message: `${req.method} ${path} is not allowed; use GET`,
      });
    }
    sendJson(res, 404, { error: 'not_found', message: `no route for ${req.method} ${path}` });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const { status, body } = toHttpError(err);
      if (status >= 500)
        logger.error({ err, method: req.method, url: req.url }, 'http request failed');
      respondSafely(res, status, body);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ host: options.host, port }, 'http server listening');

  let closing: Promise<void> | undefined;
  const close = (graceMs = 5_000): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      // close() already drops idle keep-alive sockets (Node >= 19); busy ones get the grace.
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
    }));

  return { server, port, close };
}

function respondSafely(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) res.destroy();
  else sendJson(res, status, body);
}
