import type { WebSocketConstructor, WebSocketLike } from '../socket.js';

type Frame = Record<string, unknown> & { type: string };
type Listener = (event: never) => void;

/**
 * A WebSocket whose server side is the test: it opens, sends frames and closes when told, and
 * records what the client sent (parsed). A client-initiated close only records the code, as the
 * SDK does not wait for the close handshake.
 */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: Frame[] = [];
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error(`send in readyState ${this.readyState}`);
    this.sent.push(JSON.parse(data) as Frame);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.closedWith = { code, reason };
  }

  /** The URL's query parameter. */
  param(name: string): string | null {
    return new URL(this.url).searchParams.get(name);
  }

  sentOf(type: string): Frame[] {
    return this.sent.filter((frame) => frame.type === type);
  }

  lastSent(type: string): Frame {
    const frame = this.sentOf(type).at(-1);
    if (frame === undefined)
      throw new Error(`no ${type} frame sent; sent ${JSON.stringify(this.sent)}`);
    return frame;
  }

  // The server's side.

  open(): void {
    this.readyState = 1;
    this.emit('open', {});
  }

  receive(frame: Frame | string): void {
    this.emit('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** Opens and greets, as the gateway does for a good token. */
  greet(user = 'alice', session = 'session-1'): void {
    if (this.readyState === 0) this.open();
    this.receive({
      type: 'hello',
      session,
      user,
      device: this.param('device_id') ?? 'device',
      settings: {
        idle_timeout_s: 300,
        allow_invisible: true,
        allow_custom_status_text: true,
        presence_enabled: true,
      },
      self: view(user, 1),
    });
  }

  ack(frame: Frame): void {
    this.receive({ type: 'ack', id: frame['id'] });
  }

  refuse(frame: Frame, code: string, message = `${code}!`): void {
    this.receive({ type: 'error', id: frame['id'], code, message });
  }

  /** Acks every frame of `type` sent so far. */
  ackAll(type: string): void {
    for (const frame of this.sentOf(type)) this.ack(frame);
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.emit('close', { code, reason });
  }

  private emit(type: string, event: object): void {
    for (const listener of this.listeners.get(type) ?? []) (listener as (e: object) => void)(event);
  }
}

/** A WebSocket constructor that keeps every socket it made, in order. */
export function fakeWebSocket(): { WebSocket: WebSocketConstructor; sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  const WebSocket = class extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  };
  return { WebSocket, sockets };
}

export function view(user: string, version: number, presence = 'online') {
  return {
    user,
    presence,
    display: presence === 'online' ? 'available' : presence,
    online: presence !== 'offline',
    devices: { desktop: 'online' },
    version,
  };
}
