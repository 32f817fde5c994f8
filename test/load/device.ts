import WebSocket from 'ws';

/** One simulated device: who it is, where it connects from and to, whom it watches. */
export interface DeviceSpec {
  readonly group: string;
  readonly index: number;
  readonly user: string;
  /** The endpoint with `?token=...&device_id=...&platform=...`. */
  readonly url: string;
  readonly localAddress: string;
  readonly watch: readonly string[];
}

export type OpenOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly retryAfterS?: number };

export interface DeviceEvents {
  /** A frame that arrived after the device was established. */
  onFrame(device: Device, data: Buffer): void;
  /** An established device was closed without us asking. */
  onDropped(device: Device, code: number): void;
}

const HELLO = Buffer.from('{"type":"hello"');
const WATCH_ACK = Buffer.from('{"type":"ack","id":1}');
const ERROR = Buffer.from('{"type":"error"');

/** True when `data` begins with `prefix` (no copy). */
export const startsWith = (data: Buffer, prefix: Buffer) =>
  data.length >= prefix.length && prefix.compare(data, 0, prefix.length) === 0;

/** The `code` of an error frame, for counting. */
export function errorCode(data: Buffer): string {
  try {
    return String((JSON.parse(data.toString()) as { code?: unknown }).code);
  } catch {
    return 'unparsable';
  }
}

function retryAfter(header: string | string[] | undefined): number | undefined {
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * A WebSocket that is established once the server greeted it (`hello`) and, when it watches
 * users, acknowledged the watch (whose snapshots come first). `ready` settles once: established,
 * or the first failure (HTTP refusal, close, socket error, timeout), after which it is gone.
 */
export class Device {
  established = false;
  /** We are closing it (goodbye, close, churn): its close is no error. */
  leaving = false;
  /** The next status change says busy, the one after online, and so on. */
  busyNext = true;
  /** `"user":"<own id>",`: frames about the device's own user are no watcher deliveries. */
  readonly ownUser: Buffer;
  /** The send times of the last status changes it received (see firstSight). */
  private readonly seen: number[];
  private seenNext = 0;
  readonly ready: Promise<OpenOutcome>;
  readonly closed: Promise<number>;
  private readonly ws: WebSocket;
  private stage: 'upgrade' | 'hello' | 'watch' = 'upgrade';
  private settle: (outcome: OpenOutcome) => void = () => undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly spec: DeviceSpec,
    private readonly events: DeviceEvents,
    timeoutMs: number,
  ) {
    this.ownUser = Buffer.from(`"user":"${spec.user}",`);
    this.seen = new Array<number>(Math.max(16, 2 * spec.watch.length)).fill(-1);
    let settled = false;
    this.ready = new Promise((resolve) => {
      this.settle = (outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(this.timer);
        resolve(outcome);
      };
    });
    const ws = new WebSocket(spec.url, {
      localAddress: spec.localAddress,
      perMessageDeflate: false,
      skipUTF8Validation: true,
      followRedirects: false,
      handshakeTimeout: timeoutMs,
    });
    this.ws = ws;
    this.timer = setTimeout(() => this.fail(`timeout ${this.stage}`), timeoutMs);
    ws.on('unexpected-response', (_req, res) => {
      this.fail(`http ${res.statusCode}`, retryAfter(res.headers['retry-after']));
    });
    ws.on('error', (error: NodeJS.ErrnoException) => {
      this.fail(`error ${error.code ?? error.message.slice(0, 60)}`);
    });
    ws.on('open', () => (this.stage = 'hello'));
    ws.on('message', (data: Buffer) => this.onMessage(data));
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        resolve(code);
        if (!this.established) this.fail(`close ${code}`);
        else if (!this.leaving) events.onDropped(this, code);
      }),
    );
  }

  get isOpen(): boolean {
    return this.established && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Whether this is the first frame with this send time: a later change of the same user (a
   * reconnect, activity) carries its status text again. Users change in turn (round robin), so
   * the last 2 x watched send times hold every watched user's current one.
   */
  firstSight(sentUs: number): boolean {
    if (this.seen.includes(sentUs)) return false;
    this.seen[this.seenNext] = sentUs;
    this.seenNext = (this.seenNext + 1) % this.seen.length;
    return true;
  }

  send(text: string): boolean {
    if (!this.isOpen) return false;
    this.ws.send(text);
    return true;
  }

  /** Clean disconnect: the gateway records it (offline at once) and closes with 1000. */
  goodbye(): Promise<number> {
    this.leaving = true;
    if (!this.send('{"type":"goodbye"}')) this.ws.close(1000);
    return this.closed;
  }

  close(): Promise<number> {
    this.leaving = true;
    this.ws.close(1000);
    return this.closed;
  }

  terminate(): void {
    this.leaving = true;
    this.ws.terminate();
  }

  private onMessage(data: Buffer): void {
    if (this.established) return this.events.onFrame(this, data);
    if (this.stage === 'hello') {
      if (!startsWith(data, HELLO)) return;
      if (this.spec.watch.length === 0) return this.succeed();
      this.stage = 'watch';
      this.ws.send(JSON.stringify({ type: 'watch', id: 1, users: this.spec.watch }));
    } else if (startsWith(data, WATCH_ACK)) {
      this.succeed();
    } else if (startsWith(data, ERROR)) {
      this.fail(`watch error ${errorCode(data)}`);
    }
  }

  private succeed(): void {
    this.established = true;
    this.settle({ ok: true });
  }

  /** The first failure wins; the socket goes (terminate frees its descriptor at once). */
  private fail(code: string, retryAfterS?: number): void {
    if (this.established) return;
    this.settle({ ok: false, code, ...(retryAfterS === undefined ? {} : { retryAfterS }) });
    this.leaving = true;
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }
}
