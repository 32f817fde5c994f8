import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import * as ws from 'ws';
import { describe, expect, it } from 'vitest';
import { textOfFrame } from '../testing/frames.js';
import { corkUntilIdle, textFrame } from './frame-writer.js';

/** What a `ws` client makes of bytes: the messages it would emit. */
function received(bytes: Buffer): string[] {
  const messages: string[] = [];
  // ws exports its Receiver without declaring it in its types.
  const { Receiver } = ws as unknown as {
    Receiver: new (options: { isServer: boolean }) => Writable;
  };
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer) => messages.push(data.toString('utf8')));
  receiver.write(bytes);
  return messages;
}

/** A writable that records each write system call it would make (one per write or writev). */
function recordingSocket(): { socket: Socket; calls: string[][] } {
  const calls: string[][] = [];
  const socket = new Writable({
    write(chunk: Buffer, _encoding, done) {
      calls.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.map(({ chunk }) => String(chunk)));
      done();
    },
  });
  return { socket: socket as unknown as Socket, calls };
}

describe('textFrame', () => {
  it.each([0, 1, 125, 126, 65_535, 65_536, 200_000])(
    'builds a frame a ws client reads back (%i bytes)',
    (length) => {
      const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
      const frame = textFrame(text);
      expect(Buffer.byteLength(text)).toBe(length);
      expect(textOfFrame(frame)).toBe(text);
      expect(received(Buffer.concat([frame, frame]))).toEqual([text, text]);
    },
  );
});

describe('corkUntilIdle', () => {
  it('sends the writes of one event-loop turn in one call, in order', async () => {
    const { socket, calls } = recordingSocket();
    corkUntilIdle(socket);
    socket.write('a');
    corkUntilIdle(socket);
    socket.write('b');
    socket.write('c');
    expect(calls).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([['a', 'b', 'c']]);
    corkUntilIdle(socket);
    socket.write('d');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('keeps a nested cork and uncork (as ws does per frame) buffered until then', async () => {
    const { socket, calls } = recordingSocket();
    corkUntilIdle(socket);
    socket.cork();
    socket.write('header');
    socket.write('payload');
    socket.uncork();
    socket.write('next');
    expect(calls).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([['header', 'payload', 'next']]);
  });
});
