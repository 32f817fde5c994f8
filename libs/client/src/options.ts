import { reconnectPolicy, type ReconnectPolicy } from './backoff.js';
import {
  DEFAULT_ACTIVITY_THROTTLE_MS,
  type EventTargetLike,
  type VisibilityTarget,
} from './browser.js';
import { SYSTEM_CLOCK, type Clock } from './clock.js';
import type { Platform } from './frames.js';
import { resolveWebSocket, type WebSocketConstructor } from './socket.js';
import type { TokenSource } from './token.js';
import { isValidId } from './watches.js';

export interface PresenceClientOptions {
  /** The gateway's base URL (`https://presence.example.com`, `ws://127.0.0.1:8080`); `/v1/ws` is added. */
  readonly url: string;
  /** A device token (JWT), or a function asked for one on every (re)connect and before expiry. */
  readonly token: TokenSource;
  readonly deviceId: string;
  readonly platform: Platform;
  /** Required where there is no global WebSocket (Node 20): e.g. `WebSocket` of the `ws` package. */
  readonly WebSocket?: WebSocketConstructor;
  readonly reconnect?: Partial<ReconnectPolicy>;
  /** How long a request waits for its `ack` or `error` (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** How long a connection attempt may take to reach `hello` (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Sends `activity` on user input (browsers: `window` or `document`). */
  readonly activity?: { readonly target: EventTargetLike; readonly throttleMs?: number };
  /** Sends `device` `background`/`foreground` as the page is hidden or shown (browsers: `document`). */
  readonly visibility?: VisibilityTarget;
  /** In [0, 1), for the jitter (tests pass a fixed one). */
  readonly random?: () => number;
  /** Time and timers (tests pass a fake one). */
  readonly clock?: Clock;
}

export interface ResolvedOptions {
  readonly url: string;
  readonly token: TokenSource;
  readonly deviceId: string;
  readonly platform: Platform;
  readonly WebSocket: WebSocketConstructor;
  readonly reconnect: ReconnectPolicy;
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly activity: { readonly target: EventTargetLike; readonly throttleMs: number } | undefined;
  readonly visibility: VisibilityTarget | undefined;
  readonly random: () => number;
  readonly clock: Clock;
}

const PLATFORMS: readonly Platform[] = ['desktop', 'web', 'mobile'];

/**
 * Fills in defaults and refuses what the gateway would refuse on every attempt (it would close
 * with 4400 and the client would stop), naming the option, so the mistake shows at construction.
 */
export function resolveOptions(options: PresenceClientOptions): ResolvedOptions {
  const fail = (option: string, rule: string, value: unknown): never => {
    throw new RangeError(`${option} must be ${rule} (got ${JSON.stringify(value)})`);
  };
  if (typeof options.url !== 'string' || options.url === '') fail('url', 'a URL', options.url);
  if (!isValidId(options.deviceId))
    fail('deviceId', 'an id ([A-Za-z0-9_-]{1,128})', options.deviceId);
  if (!PLATFORMS.includes(options.platform)) {
    fail('platform', `one of ${PLATFORMS.join(', ')}`, options.platform);
  }
  if (
    typeof options.token !== 'function' &&
    (typeof options.token !== 'string' || !options.token)
  ) {
    fail('token', 'a non-empty string or a function', typeof options.token);
  }
  const positive = (option: string, value: number | undefined, fallback: number): number => {
    const resolved = value ?? fallback;
    return resolved > 0 ? resolved : fail(option, 'above 0', value);
  };
  const throttleMs = options.activity?.throttleMs ?? DEFAULT_ACTIVITY_THROTTLE_MS;
  if (!(throttleMs >= 0)) fail('activity.throttleMs', '0 or more', throttleMs);
  return {
    url: options.url,
    token: options.token,
    deviceId: options.deviceId,
    platform: options.platform,
    WebSocket: resolveWebSocket(options.WebSocket),
    reconnect: reconnectPolicy(options.reconnect),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, 10_000),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 10_000),
    activity:
      options.activity === undefined ? undefined : { target: options.activity.target, throttleMs },
    visibility: options.visibility,
    random: options.random ?? Math.random,
    clock: options.clock ?? SYSTEM_CLOCK,
  };
}
