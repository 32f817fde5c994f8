/**
 * What the harness and its load-client processes say to each other: JSON messages over a loopback
 * control WebSocket. The harness sends `{seq, command}`; a client answers `{type: 'result', seq,
 * result}` or `{type: 'failed', seq, message}`, and pushes `progress` while it works.
 */

/** Connections `<prefix>-<i>` for i < count: user `<prefix>-<i>`, device `d<i>`, one each. */
export interface Group {
  readonly prefix: string;
  readonly count: number;
  readonly watch: WatchRule;
}

export type WatchRule =
  | { readonly kind: 'none' }
  /** Users i+1 ... i+k (mod count) of the same group: every user is watched by k others. */
  | { readonly kind: 'ring'; readonly k: number }
  /** Every user of another group: many watchers of few users (fan-out). */
  | { readonly kind: 'group'; readonly prefix: string; readonly count: number };

/** Error and refusal counts by kind: `http 503`, `close 4401`, `error ECONNRESET`, `timeout hello`... */
export type Counts = Record<string, number>;

export interface OpenCommand {
  readonly type: 'open';
  readonly group: Group;
  /** `ws://127.0.0.1:<port>/v1/ws`; connection i goes to urls[i mod length]. */
  readonly urls: readonly string[];
  /** Connections being opened at once by this client. */
  readonly inFlight: number;
  /** A refused upgrade (429, 503) is tried again after its Retry-After, this many times. */
  readonly retries: number;
  /** Epoch ms (performance.timeOrigin + now) before which no connection starts: tokens are signed first. */
  readonly startAt: number;
  /** No connection starts after this long; one in progress gets at most 30 s more. */
  readonly deadlineMs: number;
}

export interface OpenResult {
  readonly attempted: number;
  /** Greeted (`hello`) and, with a watch rule, acknowledged the watch. */
  readonly established: number;
  /** Refusals and failures of every attempt (a retried refusal counts each time). */
  readonly errors: Counts;
  readonly retried: number;
  /** Epoch ms of the first attempt and of the last connection established (0 when none). */
  readonly firstAttemptAt: number;
  readonly lastEstablishedAt: number;
  /** Attempt -> hello in microseconds, an HdrHistogram (compressed base64). */
  readonly connectUs: string;
}

export interface TrafficCommand {
  readonly type: 'traffic';
  /** Status changes per second over all clients, sent by the connections of these groups. */
  readonly statusPerS: number;
  readonly senders: readonly string[];
  /** `activity` frames and goodbye-and-reconnect cycles per second over all clients. */
  readonly activityPerS: number;
  readonly churnPerS: number;
  /** Epoch ms when sending starts; sends in the first warmupMs are not measured. */
  readonly startAt: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** After the last send: time for the last deliveries and reconnects to arrive. */
  readonly drainMs: number;
  /** Retries of a refused reconnect. */
  readonly retries: number;
}

export interface TrafficResult {
  readonly statusSent: number;
  /** Sent after the warm-up: their deliveries are in the latency histogram. */
  readonly statusMeasured: number;
  readonly activitySent: number;
  readonly churned: number;
  readonly reconnected: number;
  /** `presence.changed` frames carrying a send time (a device's own user excluded). */
  readonly deliveries: number;
  /** Of those, the ones that arrived between the end of the warm-up and the last send. */
  readonly arrivedInWindow: number;
  /** Change sent -> frame at the watcher, in microseconds, for the measured sends. */
  readonly latencyUs: string;
  /** Change sent -> its `ack` at the sender (the fact is in DEVICE_EVENTS), same sends. */
  readonly ackUs: string;
  /** How late the client's event loop ran (perf_hooks, 5 ms resolution) during the step. */
  readonly loopDelayMs: { readonly p99: number; readonly max: number };
  readonly errors: Counts;
}

export interface CloseCommand {
  readonly type: 'close';
  /** Send `goodbye` (offline at once) and wait for the gateway to close; else close the socket. */
  readonly goodbye: boolean;
  readonly deadlineMs: number;
}

export interface CloseResult {
  readonly closed: number;
  /** Still open at the deadline: terminated. */
  readonly forced: number;
  readonly errors: Counts;
}

export interface CountCommand {
  readonly type: 'count';
}

export interface CountResult {
  /** Open connections by group prefix. */
  readonly open: Counts;
  readonly errors: Counts;
}

export type Command = OpenCommand | TrafficCommand | CloseCommand | CountCommand;

export interface ResultOf {
  open: OpenResult;
  traffic: TrafficResult;
  close: CloseResult;
  count: CountResult;
}

export interface Progress {
  readonly established: number;
  readonly failed: number;
  readonly sent: number;
  readonly received: number;
}

export type ClientMessage =
  | ({ readonly type: 'progress' } & Progress)
  | { readonly type: 'result'; readonly seq: number; readonly result: unknown }
  | { readonly type: 'failed'; readonly seq: number; readonly message: string };

/** What a load-client process is started with (its only argument, as JSON). */
export interface ClientTask {
  readonly controlUrl: string;
  readonly worker: number;
  readonly workers: number;
  /** Loopback source addresses its sockets bind to, round robin. */
  readonly addresses: readonly string[];
  readonly jwtSecret: string;
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes of one machine. */
export const epochMs = () => performance.timeOrigin + performance.now();

export function addCounts(into: Counts, from: Readonly<Counts>): Counts {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
  return into;
}

/** The sum of several counts, as a new object. */
export const sumCounts = (all: readonly Readonly<Counts>[]): Counts =>
  all.reduce<Counts>((sum, counts) => addCounts(sum, counts), {});
