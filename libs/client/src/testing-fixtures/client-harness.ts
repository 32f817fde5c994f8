import type { PresenceClient } from '../api.js';
import { createPresenceClient } from '../client.js';
import type { PresenceClientOptions } from '../options.js';
import { FakeClock } from './fake-clock.js';
import { fakeWebSocket, type FakeSocket } from './fake-socket.js';

/** Lets the client's promise chains (token, requests) run; no time passes on the fake clock. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface Harness {
  readonly client: PresenceClient;
  readonly clock: FakeClock;
  readonly sockets: FakeSocket[];
  /** The newest socket. */
  socket(): FakeSocket;
  /** Everything emitted, in order, as `[event, payload]`. */
  readonly events: Array<[string, unknown]>;
  eventsOf<T = unknown>(event: string): T[];
}

const RECORDED = [
  'hello',
  'presence',
  'presence.changed',
  'reconnect',
  'error',
  'open',
  'close',
  'state',
] as const;

/** A client on fake sockets and a fake clock; `random` 0.5 unless given. */
export async function startClient(options: Partial<PresenceClientOptions> = {}): Promise<Harness> {
  const clock = new FakeClock();
  const { WebSocket, sockets } = fakeWebSocket();
  const client = createPresenceClient({
    url: 'https://presence.example.com',
    token: 'token-1',
    deviceId: 'alice-laptop',
    platform: 'desktop',
    WebSocket,
    clock,
    random: () => 0.5,
    ...options,
  });
  const events: Array<[string, unknown]> = [];
  for (const event of RECORDED)
    client.on(event, (payload: unknown) => events.push([event, payload]));
  await settle();
  return {
    client,
    clock,
    sockets,
    socket: () => sockets.at(-1)!,
    events,
    eventsOf: <T>(event: string) =>
      events.filter(([name]) => name === event).map(([, payload]) => payload as T),
  };
}

/** A client with an open session (greeted as `alice`). */
export async function openClient(options: Partial<PresenceClientOptions> = {}): Promise<Harness> {
  const harness = await startClient(options);
  harness.socket().greet();
  return harness;
}

/** Fire and forget: for requests whose outcome the test does not look at. */
export const quietly = (request: Promise<unknown>): void => void request.catch(() => undefined);
