import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '@presence/kit';
import { checkDevice, readHandshake } from '../domain/handshake.js';
import { TokenBucket } from '../domain/rate-limit.js';
import { createTokenVerifier } from './auth.js';
import { CLOSE, DeviceConnection, type ConnectionDeps } from './connection.js';

export const WS_PATH = '/v1/ws';

/** Pings go out in this many slices of the connections, one slice per interval / slices. */
const PING_SLICES = 30;

export interface WsServerOptions extends Omit<ConnectionDeps, 'verify'> {
  readonly server: Server;
  readonly jwtSecret: string;
  /** Frames above this close the socket (1009) before they are buffered; above maxFrameBytes they get an error frame. */
  readonly maxPayloadBytes: number;
  readonly admission: AdmissionLimits;
  /** How often every socket is pinged; a peer that misses one pong is cut. 0 = never. */
  readonly pingIntervalMs: number;
  /** On a drain, devices are told to reconnect after a random delay up to this (spreads the storm). */
  readonly drainSpreadMs: number;
  /** Counts refused upgrades by reason (`capacity`, `rate`). */
  readonly onRefused?: (reason: 'capacity' | 'rate') => void;
  readonly logger: Logger;
}

export interface AdmissionLimits {
  /** Sessions open (or being opened) at most: kept below the open-file limit. */
  readonly maxConnections: number;
  /** Upgrades per second at most (burst: one second's worth). */
  readonly connectsPerS: number;
}

/**
 * The device WebSocket endpoint. Every upgrade on `/v1/ws` is accepted first, because close codes
 * (4401 bad token, 4400 bad device or platform) only exist on an open WebSocket.
 */
export function attachWebSocketServer(options: WsServerOptions) {
  const { server, logger } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const verify = createTokenVerifier(options.jwtSecret);
  const deps: ConnectionDeps = { ...options, verify };
  /** By session id: session pushes (`push.v1.session.<gateway>.<session>`) find theirs. */
  const connections = new Map<string, DeviceConnection>();
  const forget = (connection: DeviceConnection) =>
    connections.delete(connection.identity.sessionId);
  const { maxConnections, connectsPerS } = options.admission;
  const connectRate = new TokenBucket(connectsPerS, connectsPerS);
  /** Upgrades accepted whose session is not open yet: they count against the cap too. */
  let admitting = 0;
  let accepting = true;
  let admitted = 0;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== WS_PATH) return refuse(socket, 404, 'Not Found');
    if (!accepting) return refuse(socket, 503, 'Service Unavailable', 1);
    // Refused before the upgrade: a plain HTTP answer costs no WebSocket state and no session.
    if (connections.size + admitting >= maxConnections) {
      options.onRefused?.('capacity');
      return refuse(socket, 503, 'Service Unavailable', 5, 'gateway at capacity');
    }
    const now = performance.now();
    if (!connectRate.take(now)) {
      options.onRefused?.('rate');
      const retryAfterS = Math.max(1, Math.ceil(connectRate.waitMs(now) / 1000));
      return refuse(socket, 429, 'Too Many Requests', retryAfterS, 'connect rate exceeded');
    }
    admitting += 1;
    wss.handleUpgrade(req, socket, head, (ws) => {
      void admit(ws, req, url).finally(() => (admitting -= 1));
    });
  };
  server.on('upgrade', onUpgrade);

  // Each connection is pinged once per interval, a slice of them at a time: pinging 10,000 at once
  // blocked the event loop (and every frame behind it) for hundreds of ms, measured.
  let pingSlice = 0;
  const pinger =
    options.pingIntervalMs > 0
      ? setInterval(() => {
          pingSlice = (pingSlice + 1) % PING_SLICES;
          for (const connection of connections.values()) {
            if (connection.pingSlot === pingSlice) connection.ping();
          }
        }, options.pingIntervalMs / PING_SLICES)
      : undefined;
  pinger?.unref();

  async function admit(ws: WebSocket, req: IncomingMessage, url: URL): Promise<void> {
    // Clients may send frames right after the upgrade; keep them while the token is verified.
    const early: Array<[Buffer, boolean]> = [];
    const hold = (data: Buffer, isBinary: boolean) => early.push([data, isBinary]);
    ws.on('message', hold);
    const handshake = readHandshake(url, req.headers.authorization);
    const auth = await verify(handshake.token);
    if (!auth.ok) {
      logger.debug({ reason: auth.reason }, 'refused a connection: unauthorized');
      return ws.close(CLOSE.unauthorized, auth.reason);
    }
    const device = checkDevice(handshake);
    if (!device.ok) {
      logger.debug({ reason: device.reason }, 'refused a connection: bad device');
      return ws.close(CLOSE.badRequest, device.reason);
    }
    if (ws.readyState !== ws.OPEN) return;
    const identity = {
      userId: auth.claims.userId,
      deviceId: device.deviceId,
      sessionId: randomUUID(),
      platform: device.platform,
    };
    ws.off('message', hold);
    const connection = new DeviceConnection(ws, identity, deps, auth.claims, early, forget);
    connection.pingSlot = admitted++ % PING_SLICES;
    connections.set(identity.sessionId, connection);
  }

  return {
    get connections() {
      return connections.size;
    },
    /** Tells every greeted device that presence was switched off or on (CONTRACT.md). */
    presenceSwitched(enabled: boolean): void {
      for (const connection of connections.values()) connection.presenceSwitched(enabled);
    },
    /** A frame for one session (its room rosters); nothing when it is gone. */
    pushToSession(sessionId: string, frame: Buffer): void {
      connections.get(sessionId)?.push(frame);
    },
    /** Stops accepting and ends every session as a gateway drain. */
    async close(): Promise<void> {
      accepting = false;
      clearInterval(pinger);
      await Promise.all(
        [...connections.values()].map((connection) =>
          connection.drain(
            'gateway shutting down',
            Math.floor(Math.random() * (options.drainSpreadMs + 1)),
          ),
        ),
      );
      server.off('upgrade', onUpgrade);
      wss.close();
    },
  };
}

function refuse(
  socket: Duplex,
  status: number,
  text: string,
  retryAfterS?: number,
  body = '',
): void {
  const retry = retryAfterS === undefined ? '' : `Retry-After: ${retryAfterS}\r\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${retry}Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
