import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '@presence/kit';
import { checkDevice, readHandshake } from '../domain/handshake.js';
import { createTokenVerifier } from './auth.js';
import { CLOSE, DeviceConnection, type ConnectionDeps } from './connection.js';

export const WS_PATH = '/v1/ws';

export interface WsServerOptions extends ConnectionDeps {
  readonly server: Server;
  readonly jwtSecret: string;
  /** Frames above this close the socket (1009) before they are buffered; above maxFrameBytes they get an error frame. */
  readonly maxPayloadBytes: number;
  readonly logger: Logger;
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
  const connections = new Set<DeviceConnection>();
  let accepting = true;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== WS_PATH || !accepting) {
      socket.end(
        `HTTP/1.1 ${accepting ? '404 Not Found' : '503 Service Unavailable'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => void admit(ws, req, url));
  };
  server.on('upgrade', onUpgrade);

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
    const connection = new DeviceConnection(ws, identity, options, early);
    connections.add(connection);
    ws.on('close', () => connections.delete(connection));
  }

  return {
    get connections() {
      return connections.size;
    },
    /** Tells every greeted device that presence was switched off or on (CONTRACT.md). */
    presenceSwitched(enabled: boolean): void {
      for (const connection of connections) connection.presenceSwitched(enabled);
    },
    /** Stops accepting and ends every session as a gateway drain. */
    async close(): Promise<void> {
      accepting = false;
      server.off('upgrade', onUpgrade);
      await Promise.all(
        [...connections].map((connection) => connection.drain('gateway shutting down')),
      );
      wss.close();
    },
  };
}
