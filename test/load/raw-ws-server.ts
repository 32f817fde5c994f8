/**
 * The baseline: a bare `ws` server in its own process, configured as the gateway configures its
 * WebSocketServer (noServer on an HTTP server, no compression, no client tracking). It greets
 * each connection with a hello (so the load clients treat it like a gateway) and holds it idle.
 * Prints `{"port":...}` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const held = new Set<WebSocket>();
const server = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  clientTracking: false,
});
server.on('upgrade', (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => {
    held.add(ws);
    ws.on('close', () => held.delete(ws));
    ws.send('{"type":"hello"}');
  }),
);
server.listen(0, '127.0.0.1', () =>
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })),
);
