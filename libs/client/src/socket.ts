import type { Platform } from './frames.js';

/**
 * The part of a WebSocket the SDK uses, written out so that the browser's `WebSocket` and the `ws`
 * package both fit without the SDK depending on either (methods, not function properties, so their
 * richer event types are accepted).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { readonly code: number; readonly reason: string }) => void,
  ): void;
  addEventListener(type: 'error', listener: () => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** RFC 6455 `readyState` of an open socket (the constants are not on every implementation). */
export const OPEN = 1;

/** The constructor given, else the platform's (browsers, Deno, Node 22+); Node 20 has none. */
export function resolveWebSocket(given: WebSocketConstructor | undefined): WebSocketConstructor {
  const found = given ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (found === undefined) {
    throw new TypeError(
      'WebSocket: this runtime has no global WebSocket; pass one, e.g. createPresenceClient({ WebSocket }) with WebSocket from the "ws" package',
    );
  }
  return found;
}

export interface SocketAddress {
  /** The gateway's base URL: `https://host`, `http://host:8080`, `wss://host`, a path prefix allowed. */
  readonly url: string;
  readonly token: string;
  readonly deviceId: string;
  readonly platform: Platform;
}

/** `<url>/v1/ws?token=..&device_id=..&platform=..`, http(s) turned into ws(s). */
export function socketUrl({ url, token, deviceId, platform }: SocketAddress): string {
  const base = url
    .replace(/^https:/i, 'wss:')
    .replace(/^http:/i, 'ws:')
    .replace(/\/+$/, '');
  const query = new URLSearchParams({ token, device_id: deviceId, platform });
  return `${base}/v1/ws?${query.toString()}`;
}
