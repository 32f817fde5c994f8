import { SignJWT } from 'jose';
import { WebSocket } from 'ws';

export const TEST_JWT_SECRET = 'e2e-secret-for-tests-only';

/** A device token as issued by an identity provider: HS256, `sub` = user, `exp`. */
export async function deviceToken(
  user: string,
  options: { secret?: string; expiresIn?: string | number; claims?: Record<string, unknown> } = {},
): Promise<string> {
  return new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

export type Frame = Record<string, unknown> & { type: string };

/**
 * A test device on the gateway's WebSocket: records every frame and lets a test wait for the
 * next frame matching a predicate (frames already received count, in order).
 */
export class DeviceClient {
  readonly frames: Frame[] = [];
  private cursor = 0;
  private waiters: Array<() => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits for the next frame (after the last one returned) that matches. */
  async next(match: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const frame = this.frames[this.cursor++]!;
        if (match(frame)) return frame;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }

  /** Drops the TCP connection without a close handshake (a crash or a network drop). */
  terminate(): void {
    this.ws.terminate();
  }
}

export interface ConnectOptions {
  readonly user: string;
  readonly device?: string;
  readonly platform?: string;
  readonly token?: string;
  readonly query?: string;
}

/** Opens a device connection; resolves once the socket is open (before `hello`). */
export async function connectDevice(
  gatewayUrl: string,
  options: ConnectOptions,
): Promise<DeviceClient> {
  const token = options.token ?? (await deviceToken(options.user));
  const query =
    options.query ??
    `token=${token}&device_id=${options.device ?? `${options.user}-laptop`}&platform=${options.platform ?? 'desktop'}`;
  const ws = new WebSocket(`${gatewayUrl.replace('http', 'ws')}/v1/ws?${query}`);
  const client = new DeviceClient(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return client;
}

export const isType = (type: string, user?: string) => (frame: Frame) =>
  frame.type === type && (user === undefined || frame['user'] === user);
