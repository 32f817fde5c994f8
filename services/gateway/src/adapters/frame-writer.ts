import type { Socket } from 'node:net';
import * as ws from 'ws';
import type { WebSocket } from 'ws';

/** `ws` builds frames with its Sender (exported, but its types do not declare it). */
const { frame: frameOf } = (
  ws as unknown as {
    Sender: {
      frame(
        data: Buffer,
        options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean },
      ): Buffer[];
    };
  }
).Sender;

const TEXT_OPCODE = 1;

/**
 * A whole unmasked text frame (RFC 6455 5.2: server frames are not masked), encoded once and
 * written as is to every socket that should get it: a change watched by thousands costs one
 * UTF-8 encoding and one frame header, not one per watcher.
 */
export function textFrame(text: string): Buffer {
  const parts = frameOf(Buffer.from(text), {
    fin: true,
    rsv1: false,
    opcode: TEXT_OPCODE,
    mask: false,
    readOnly: false,
  });
  // Its own memory, not a slice of Node's shared 8 KB pool: frames are kept (the hub's latest
  // views), and one kept slice would keep its whole slab alive.
  const frame = Buffer.allocUnsafeSlow(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) offset += part.copy(frame, offset);
  return frame;
}

/** The TCP socket under a `ws` WebSocket (a private field `ws` has kept since version 1). */
export function socketOf(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

const corked = new Set<Socket>();

function uncorkAll(): void {
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/**
 * Holds the socket's writes until the I/O of this turn of the event loop is handled, so all the
 * frames it gets meanwhile (hello, own view and snapshots; the changes of one NATS read) leave
 * in one write system call: measured, the write per frame was the largest CPU cost of a connect
 * and of fan-out, on both ends. Corks nest, so `ws`'s own cork and uncork around a frame keep
 * the data buffered; `end()` (a close) flushes it.
 */
export function corkUntilIdle(socket: Socket): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (corked.size === 1) setImmediate(uncorkAll);
}
