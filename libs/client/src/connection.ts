import type { ReconnectPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import { CLOSE_CODES, decideAfterClose, type CloseDecision } from './close-policy.js';
import { CLIENT_ERROR_CODES, PresenceError } from './errors.js';
import { parseServerFrame, type HelloFrame, type Platform, type ServerFrame } from './frames.js';
import { OPEN, socketUrl, type WebSocketConstructor, type WebSocketLike } from './socket.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** One socket's end, as the `close` event reports it. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly willReconnect: boolean;
  /** When `willReconnect`: how long until the next attempt. */
  readonly delayMs?: number;
}

export interface ConnectionConfig {
  readonly url: string;
  readonly deviceId: string;
  readonly platform: Platform;
  readonly WebSocket: WebSocketConstructor;
  readonly reconnect: ReconnectPolicy;
  readonly random: () => number;
  readonly clock: Clock;
  /** From creating the socket to `hello`. */
  readonly connectTimeoutMs: number;
  /** The token for the next attempt. */
  readonly token: () => Promise<string>;
  /** Whether asking `token` again can give a different one (a function, not a fixed string). */
  readonly tokenRenewable: boolean;
}

export interface ConnectionHandler {
  state(state: ConnectionState): void;
  /** `hello`: the connection is open; `reconnected` for every session after the first. */
  open(hello: HelloFrame, reconnected: boolean): void;
  frame(frame: Exclude<ServerFrame, HelloFrame>): void;
  /** The socket ended; sent requests can no longer be answered. */
  closed(info: CloseInfo): void;
  error(error: PresenceError): void;
}

/** Close code reported when the SDK gives up on a socket itself (no close frame came). */
const ABNORMAL = 1006;

/**
 * The socket lifecycle: connect, wait for `hello`, and after every close decide (close-policy.ts)
 * whether and when to connect again. Each socket's handlers check that it is still the current
 * one, so a socket given up on can never act on the client later.
 */
export class Connection {
  private socket: WebSocketLike | undefined;
  private token: string | undefined;
  private greeted = false;
  private everGreeted = false;
  private current: ConnectionState = 'connecting';
  private closing = false;
  private failures = 0;
  private authRetried = false;
  private drainAfterMs: number | undefined;
  private timer: unknown;

  constructor(
    private readonly config: ConnectionConfig,
    private readonly handler: ConnectionHandler,
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  /** The token the current (or last) socket was opened with. */
  get sessionToken(): string | undefined {
    return this.token;
  }

  /** A session is open: frames sent now reach it. */
  get isOpen(): boolean {
    return this.greeted && this.socket?.readyState === OPEN;
  }

  start(): void {
    if (this.closing) return;
    this.handler.state('connecting');
    void this.attempt();
  }

  send(text: string): void {
    this.socket?.send(text);
  }

  /** From now on a close is the end: no reconnect. */
  stopReconnecting(): void {
    this.closing = true;
  }

  /** Ends the connection for good; `reason` goes into the close frame and the `close` event. */
  close(reason: string): void {
    this.closing = true;
    this.config.clock.clearTimeout(this.timer);
    const socket = this.socket;
    if (socket !== undefined) this.giveUp(socket, CLOSE_CODES.normal, reason);
    else if (this.current !== 'closed') this.ended({ action: 'stop' }, CLOSE_CODES.normal, reason);
  }

  private async attempt(): Promise<void> {
    this.setState('connecting');
    let token: string;
    try {
      token = await this.config.token();
    } catch (error) {
      if (this.closing) return;
      this.handler.error(error as PresenceError);
      return this.ended(this.decide(ABNORMAL), ABNORMAL, 'no token');
    }
    if (this.closing) return;
    const { url, deviceId, platform } = this.config;
    let socket: WebSocketLike;
    try {
      socket = new this.config.WebSocket(socketUrl({ url, token, deviceId, platform }));
    } catch (error) {
      // A URL the WebSocket refuses (SyntaxError) will not get better by retrying.
      this.handler.error(
        new PresenceError(CLIENT_ERROR_CODES.invalidUrl, `cannot open a WebSocket to ${url}`, {
          cause: error,
        }),
      );
      this.closing = true;
      return this.ended({ action: 'stop' }, ABNORMAL, 'invalid url');
    }
    this.socket = socket;
    this.token = token;
    this.greeted = false;
    this.drainAfterMs = undefined;
    this.timer = this.config.clock.setTimeout(
      () => this.giveUp(socket, ABNORMAL, `no hello within ${this.config.connectTimeoutMs} ms`),
      this.config.connectTimeoutMs,
    );
    socket.addEventListener('message', (event) => {
      if (this.socket === socket) this.receive(socket, event.data);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket === socket) this.onClose(event.code, event.reason);
    });
    // A failed socket also fires `close`, which carries what there is to know.
    socket.addEventListener('error', () => undefined);
  }

  private receive(socket: WebSocketLike, data: unknown): void {
    const frame = parseServerFrame(data);
    if (frame === undefined) return;
    if (frame.type === 'hello') return this.greet(frame);
    if (frame.type === 'reconnect') this.drainAfterMs = frame.after_ms;
    this.handler.frame(frame);
    // Go at once rather than wait for the gateway's close: the drain delay starts now.
    if (frame.type === 'reconnect') this.giveUp(socket, CLOSE_CODES.normal, 'reconnect');
  }

  private greet(hello: HelloFrame): void {
    this.config.clock.clearTimeout(this.timer);
    const reconnected = this.everGreeted;
    this.greeted = true;
    this.everGreeted = true;
    this.failures = 0;
    this.authRetried = false;
    this.setState('open');
    this.handler.open(hello, reconnected);
  }

  /** Closes the socket and treats it as closed at once, without waiting for the close handshake. */
  private giveUp(socket: WebSocketLike, code: number, reason: string): void {
    try {
      socket.close(CLOSE_CODES.normal, reason);
    } catch {
      // Already closing or closed: nothing left to do on this socket.
    }
    if (this.socket === socket) this.onClose(code, reason);
  }

  private onClose(code: number, reason: string): void {
    this.config.clock.clearTimeout(this.timer);
    this.socket = undefined;
    this.greeted = false;
    this.ended(this.decide(code), code, reason);
  }

  private decide(code: number): CloseDecision {
    return decideAfterClose(
      code,
      {
        closing: this.closing,
        drainAfterMs: this.drainAfterMs,
        tokenRenewable: this.config.tokenRenewable,
        authRetried: this.authRetried,
        failures: this.failures,
      },
      this.config.reconnect,
      this.config.random(),
    );
  }

  private ended(decision: CloseDecision, code: number, reason: string): void {
    switch (decision.action) {
      case 'stop':
        this.handler.closed({ code, reason, willReconnect: false });
        return this.setState('closed');
      case 'renew-token':
        this.authRetried = true;
        this.handler.closed({ code, reason, willReconnect: true, delayMs: 0 });
        return void this.attempt();
      case 'backoff':
      case 'drain':
        if (decision.action === 'backoff') this.failures += 1;
        this.handler.closed({ code, reason, willReconnect: true, delayMs: decision.delayMs });
        this.setState('reconnecting');
        this.timer = this.config.clock.setTimeout(() => void this.attempt(), decision.delayMs);
        return;
    }
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    this.handler.state(state);
  }
}
