import type { WebSocket } from 'ws';
import { isDomainError } from '@presence/domain';
import type { Logger } from '@presence/kit';
import {
  parseClientFrame,
  type ClientFrame,
  type FrameError,
  type FrameId,
} from '../domain/frames.js';
import type { CollabFrame } from '../domain/collab-frames.js';
import type { PlatformName } from '../domain/handshake.js';
import { OwnFeed } from '../domain/own-feed.js';
import { FrameRateLimit } from '../domain/rate-limit.js';
import { decideStatus, type StatusFact } from '../domain/status-commands.js';
import type { StatusFrame } from '../domain/status-frames.js';
import { WatchSession, type Outgoing } from '../domain/watch-session.js';
import { helloSettings, type Workspace } from '../domain/workspace.js';
import type { AuthResult, DeviceClaims } from './auth.js';
import type { DeviceCommands } from './device-commands.js';
import type { DeviceLog, DeviceSessionRef } from './device-log.js';
import { corkUntilIdle, socketOf } from './frame-writer.js';
import type { Watcher, WatchHub } from './hub.js';
import { watchedView, type PresenceSource } from './presence-source.js';
import type { PresenceUpdate } from './wire.js';

export interface ConnectionLimits {
  readonly maxFrameBytes: number;
  readonly maxWatched: number;
  readonly maxUsersPerFrame: number;
  /** Sustained client frames per second, and how many may come at once above it. */
  readonly framesPerS: number;
  readonly frameBurst: number;
  /** Bytes queued for a client that does not read, beyond which it is closed with 4408. */
  readonly maxSendBufferBytes: number;
}

export interface ConnectionDeps {
  /** Public views, by watched user. */
  readonly hub: WatchHub;
  /** Own views (`presence.v1.own.<user>`), by connected user. */
  readonly owners: WatchHub;
  readonly log: DeviceLog;
  /** Where room, message and meeting frames go (their services). */
  readonly commands: DeviceCommands;
  readonly presence: PresenceSource;
  /** The current workspace (presence-aggregator owns it): `hello` settings and status checks. */
  readonly workspace: { current(): Workspace };
  readonly limits: ConnectionLimits;
  /** Checks the token of an `auth.refresh`. */
  readonly verify: (token: string) => Promise<AuthResult>;
  readonly logger: Logger;
}

export interface Identity extends DeviceSessionRef {
  readonly platform: PlatformName;
}

/** WebSocket close codes of CONTRACT.md and RFC 6455 used by the gateway. */
export const CLOSE = {
  normal: 1000,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  badRequest: 4400,
  unauthorized: 4401,
  slowConsumer: 4408,
  rateLimited: 4429,
} as const;

/** Longest delay setTimeout takes (about 24.8 days); a later expiry is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A slow consumer told 4408 gets this long to read the close before its socket is cut. */
const SLOW_CLOSE_GRACE_MS = 5_000;

const SNAPSHOT_CONCURRENCY = 64;

/** A connection's watcher in the owners hub (own views), an object of one field. */
class OwnViewWatcher implements Watcher {
  constructor(private readonly connection: DeviceConnection) {}

  deliver(update: PresenceUpdate): void {
    this.connection.deliverOwn(update);
  }

  push(frame: Buffer): void {
    this.connection.push(frame);
  }
}

/** The session of each socket, for the socket's shared listeners. */
const connectionOf = new WeakMap<WebSocket, DeviceConnection>();

/**
 * One device session: appends its facts to the log, answers its frames in order, and delivers
 * the presence of the users it watches and of its own user (public and own views merged). Frames
 * are handled one at a time, so a watch's snapshots and ack go out before the next frame's answer.
 */
export class DeviceConnection implements Watcher {
  private readonly session: WatchSession<PresenceUpdate>;
  private readonly own = new OwnFeed<PresenceUpdate>();
  private readonly ownWatcher: Watcher = new OwnViewWatcher(this);
  /** Set on the first `room.watch` only: most sessions watch no roster. */
  private watchedRooms: Set<string> | undefined;
  /** `hello` went out: only from then on may other frames reach the client. */
  private greeted = false;
  private queue: Promise<void> = Promise.resolve();
  /** The log holds this session's end (or never held its start): append no further disconnect. */
  private endRecorded = false;
  /** We started closing the socket (goodbye, drain, refusal): ignore further frames. */
  private closing = false;
  private closed = false;
  /** Went on flooding after `rate_limited`: its close is queued, later frames are ignored. */
  private flooded = false;
  private readonly rate: FrameRateLimit;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The `exp` (epoch seconds) of the session's current token. */
  private tokenExp = 0;
  /**
   * Bytes read from the peer when it was last pinged: a peer that sent nothing since (not even the
   * pong) is cut at the next ping. Counting bytes needs no `pong` listener, whose entry in the
   * socket's listener table cost ~100 bytes per connection.
   */
  private readAtPing = -1;
  /** Which slice of the connections this one is pinged with (ws-server spreads the pings). */
  pingSlot = 0;

  constructor(
    private readonly ws: WebSocket,
    readonly identity: Identity,
    private readonly deps: ConnectionDeps,
    /** The session's token: it must be refreshed (`auth.refresh`) before its `exp`. */
    token: Pick<DeviceClaims, 'exp'>,
    /** Frames that arrived before the session was admitted, in order. */
    early: ReadonlyArray<[Buffer, boolean]> = [],
    /** Told once the socket closed (ws-server forgets the connection). */
    private readonly onClosed?: (connection: DeviceConnection) => void,
  ) {
    this.session = new WatchSession(deps.limits.maxWatched);
    this.rate = new FrameRateLimit(deps.limits.framesPerS, deps.limits.frameBurst);
    this.expireAt(token.exp);
    this.enqueue(() => this.open());
    for (const [data, isBinary] of early) this.receive(data, isBinary);
    connectionOf.set(ws, this);
    ws.on('message', DeviceConnection.onWsMessage);
    ws.on('close', DeviceConnection.onWsClose);
    ws.on('error', DeviceConnection.onWsError);
  }

  // The socket's listeners are shared by all connections (`this` is the socket) rather than
  // closures per connection: memory per connection is a target, and each closure with its
  // context costs ~100 bytes.
  private static onWsMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
    connectionOf.get(this)?.receive(data, isBinary);
  }

  private static onWsClose(this: WebSocket): void {
    connectionOf.get(this)?.onClose();
  }

  private static onWsError(this: WebSocket, error: Error): void {
    const connection = connectionOf.get(this);
    connection?.deps.logger.debug(
      { err: error, session: connection.identity.sessionId },
      'socket error',
    );
  }

  /** A frame for all the user's devices (`room.state`), once the device was greeted. */
  push(frame: Buffer): void {
    if (this.greeted) this.write(frame);
  }

  /** A change of the own view (the owners hub's delivery). */
  deliverOwn(update: PresenceUpdate): void {
    this.sendAll(this.own.onChange(update, 'own'));
  }

  deliver(update: PresenceUpdate): void {
    this.sendAll(
      update.user === this.identity.userId
        ? this.own.onChange(update, 'public')
        : this.session.onChange(update),
    );
  }

  /** The presence service was switched off or on (RULES.md 4); `hello` carries it until then. */
  presenceSwitched(enabled: boolean): void {
    if (this.greeted) this.send({ type: enabled ? 'presence.enabled' : 'presence.disabled' });
  }

  /**
   * Ends the session for a gateway shutdown: the device is told to reconnect after `afterMs` (to
   * another gateway) and its session ends as a drain, so the reconnect grace covers the move.
   */
  async drain(reason: string, afterMs: number): Promise<void> {
    if (this.closing || this.endRecorded) return;
    this.closing = true;
    this.send({ type: 'reconnect', after_ms: afterMs, reason });
    this.ws.close(CLOSE.serviceRestart, reason);
    this.enqueue(() => this.recordEnd('drain'));
    await this.queue;
  }

  /**
   * Pings the peer; one that sent nothing since the previous ping (not its pong either) is cut: a
   * dead network path.
   */
  ping(): void {
    if (this.closed) return;
    const socket = socketOf(this.ws);
    if (!socket) return;
    if (socket.bytesRead === this.readAtPing) {
      this.deps.logger.debug({ session: this.identity.sessionId }, 'no pong: cutting the socket');
      this.ws.terminate();
      return;
    }
    this.readAtPing = socket.bytesRead;
    corkUntilIdle(socket);
    this.ws.ping();
  }

  /** Closes the session on the gateway's initiative; the device may come back within the grace. */
  private closeWith(code: number, reason: string): void {
    if (this.closing || this.closed) return;
    this.closing = true;
    this.ws.close(code, reason);
    this.enqueue(() => this.recordEnd('abnormal'));
  }

  /** Arms the 4401 close for when the session's token expires. */
  private expireAt(exp: number): void {
    clearTimeout(this.expiryTimer);
    this.tokenExp = exp;
    DeviceConnection.armExpiry(this);
  }

  /** Static with the connection as the timer's argument: no closure per connection. */
  private static armExpiry(connection: DeviceConnection): void {
    const left = connection.tokenExp * 1000 - Date.now();
    if (left <= 0) return connection.closeWith(CLOSE.unauthorized, 'token expired');
    connection.expiryTimer = setTimeout(
      DeviceConnection.armExpiry,
      Math.min(left, MAX_TIMER_MS),
      connection,
    );
    connection.expiryTimer.unref?.();
  }

  /**
   * Rate-limits a frame as it arrives, so a flood never builds a queue of frames to handle; the
   * refusals and the close are queued behind the frames accepted before, which are answered first.
   */
  private receive(data: Buffer, isBinary: boolean): void {
    if (this.closed || this.closing || this.flooded) return;
    const verdict = this.rate.check(performance.now());
    if (verdict === 'accept') {
      this.enqueue(() => this.onMessage(data, isBinary));
      return;
    }
    if (verdict === 'close') {
      this.flooded = true;
      this.enqueue(async () => this.closeWith(CLOSE.rateLimited, 'rate limit exceeded'));
      return;
    }
    const { framesPerS, frameBurst } = this.deps.limits;
    const parsed = isBinary
      ? undefined
      : parseClientFrame(data.toString('utf8'), data.byteLength, this.deps.limits);
    const id = parsed === undefined ? undefined : parsed.ok ? parsed.frame.id : parsed.error.id;
    this.enqueue(async () =>
      this.sendError({
        code: 'rate_limited',
        message: `more than ${framesPerS} frames per second (bursts of ${frameBurst}): frame dropped; slow down or the connection is closed (4429)`,
        id,
      }),
    );
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      this.deps.logger.error(
        { err: error, session: this.identity.sessionId },
        'frame handling failed',
      );
    });
  }

  private async open(): Promise<void> {
    const { hub, owners, log, presence, workspace } = this.deps;
    const self = this.identity.userId;
    this.session.watchSelf(self);
    hub.add(this, [self]);
    owners.add(this.ownWatcher, [self]);
    try {
      await log.connected(this.identity, this.identity.platform);
    } catch (error) {
      this.deps.logger.error(
        { err: error, user: self },
        'cannot record the connection; refusing it',
      );
      this.endRecorded = true;
      this.closing = true;
      this.ws.close(CLOSE.tryAgainLater, 'presence log unavailable, retry later');
      return;
    }
    let snapshots: [PresenceUpdate, PresenceUpdate | null];
    try {
      snapshots = await Promise.all([
        watchedView(hub, presence, self),
        owners.lastValue(self, presence.readOwn),
      ]);
    } catch (error) {
      // The session is in the log; closing records its end (abnormal) so no ghost stays online.
      this.deps.logger.error({ err: error, user: self }, 'cannot read the own presence view');
      this.ws.close(CLOSE.tryAgainLater, 'presence unavailable, retry later');
      return;
    }
    const { self: view, out } = this.own.onSnapshot(...snapshots);
    this.send({
      type: 'hello',
      session: this.identity.sessionId,
      user: self,
      device: this.identity.deviceId,
      settings: helloSettings(workspace.current()),
      self: view.wire,
    });
    this.greeted = true;
    this.sendAll(out);
  }

  private async onMessage(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.closing) return;
    if (isBinary)
      return this.sendError({
        code: 'invalid_frame',
        message: 'frames must be JSON text, not binary',
      });
    const parsed = parseClientFrame(data.toString('utf8'), data.byteLength, this.deps.limits);
    // A goodbye sent just before the socket closed (a tab on unload) still ends the session as a
    // goodbye; anything else that was queued is moot once the socket is gone.
    if (this.closed && !(parsed.ok && parsed.frame.type === 'goodbye')) return;
    if (!parsed.ok) return this.sendError(parsed.error);
    try {
      await this.handle(parsed.frame);
    } catch (error) {
      // The bus refused the fact: nothing was recorded, so the client may retry the same frame.
      this.deps.logger.warn(
        { err: error, session: this.identity.sessionId, frame: parsed.frame.type },
        'frame failed',
      );
      this.sendError({
        code: 'unavailable',
        message: 'presence log unavailable, retry later',
        id: parsed.frame.id,
      });
    }
  }

  private async handle(frame: ClientFrame): Promise<void> {
    const { log } = this.deps;
    switch (frame.type) {
      case 'watch':
        return this.watch(frame.users, frame.id);
      case 'unwatch':
        this.unwatch(frame.users);
        return this.ack(frame.id);
      case 'activity':
        await log.activity(this.identity);
        return this.ack(frame.id);
      case 'device':
        await log.systemEvent(this.identity, frame.state);
        return this.ack(frame.id);
      case 'status.set':
      case 'status.custom':
      case 'status.text':
      case 'preferences.set':
        return this.status(frame);
      case 'goodbye':
        await log.disconnected(this.identity, 'goodbye');
        this.endRecorded = true;
        this.closing = true;
        this.ack(frame.id);
        this.ws.close(CLOSE.normal, 'goodbye');
        return;
      case 'auth.refresh':
        return this.refresh(frame.token, frame.id);
      case 'collab': {
        const result = await this.deps.commands.relay(this.identity, frame.frame);
        if (!result.ok) {
          return this.sendError({ code: result.code, message: result.message, id: frame.id });
        }
        this.trackRoomWatch(frame.frame);
        return this.ack(frame.id);
      }
    }
  }

  /** A new token for the same user moves the session's expiry; anything else changes nothing. */
  private async refresh(token: string, id: FrameId | undefined): Promise<void> {
    const auth = await this.deps.verify(token);
    if (!auth.ok) {
      return this.sendError({ code: 'invalid_token', message: auth.reason, id });
    }
    if (auth.claims.userId !== this.identity.userId) {
      return this.sendError({
        code: 'invalid_token',
        message: `the token is for another user; this session is ${this.identity.userId}`,
        id,
      });
    }
    this.expireAt(auth.claims.exp);
    this.ack(id);
  }

  /** Status commands: checked against the workspace, acked once their fact is in the log. */
  private async status(frame: StatusFrame & { readonly id?: FrameId }): Promise<void> {
    let fact: StatusFact;
    try {
      fact = decideStatus(frame, this.deps.workspace.current(), this.identity.deviceId);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      return this.sendError({ code: error.code, message: error.message, id: frame.id });
    }
    await this.deps.log.statusFact(this.identity.userId, fact);
    this.ack(frame.id);
  }

  private async watch(users: readonly string[], id: FrameId | undefined): Promise<void> {
    const fresh = this.session.watch(users);
    if (fresh === null) {
      return this.sendError({
        code: 'watch_limit_exceeded',
        message: `this watch would exceed the limit of ${this.deps.limits.maxWatched} watched users per connection (watching ${this.session.size})`,
        id,
      });
    }
    this.deps.hub.add(this, fresh);
    if (fresh.length === 0) return this.ack(id);
    try {
      for (let i = 0; i < fresh.length; i += SNAPSHOT_CONCURRENCY) {
        const batch = fresh.slice(i, i + SNAPSHOT_CONCURRENCY);
        const views = await Promise.all(
          batch.map((user) => watchedView(this.deps.hub, this.deps.presence, user)),
        );
        for (const view of views) this.sendAll(this.session.onSnapshot(view));
      }
      this.ack(id);
    } catch (error) {
      // Undo the whole watch so no user waits forever for a snapshot; the client may retry it.
      this.unwatch(fresh);
      throw error;
    }
  }

  /** Removes explicit watches, and from the hub the users this connection no longer watches at all. */
  private unwatch(users: readonly string[]): void {
    this.session.unwatch(users);
    const stillWatched = new Set(this.session.users());
    this.deps.hub.remove(
      this,
      users.filter((user) => !stillWatched.has(user)),
    );
  }

  /** Rooms whose roster this session watches (room-membership keeps the watch until unwatched). */
  private trackRoomWatch(frame: CollabFrame): void {
    if (frame.kind !== 'room') return;
    if (frame.name === 'room.watch') (this.watchedRooms ??= new Set()).add(frame.room);
    if (frame.name === 'room.unwatch') this.watchedRooms?.delete(frame.room);
  }

  private onClose(): void {
    this.closed = true;
    this.onClosed?.(this);
    // The room service forgets the session's roster watches (it also drops those of a gateway
    // whose heart-beat is gone, for when this never arrives).
    for (const room of this.watchedRooms ?? []) {
      void this.deps.commands.relay(this.identity, { kind: 'room', name: 'room.unwatch', room });
    }
    clearTimeout(this.expiryTimer);
    this.deps.hub.remove(this, this.session.users());
    this.deps.owners.remove(this.ownWatcher, [this.identity.userId]);
    // Queued behind `open` and any goodbye in flight, so the log gets connect before disconnect and
    // one end per session.
    if (!this.closing) this.enqueue(() => this.recordEnd('abnormal'));
  }

  private async recordEnd(reason: 'abnormal' | 'drain'): Promise<void> {
    if (this.endRecorded) return;
    this.endRecorded = true;
    await this.deps.log.disconnected(this.identity, reason).catch((error: unknown) => {
      this.deps.logger.error(
        { err: error, session: this.identity.sessionId, reason },
        'cannot record the end of a session',
      );
    });
  }

  private sendAll(outgoing: readonly Outgoing<PresenceUpdate>[]): void {
    for (const out of outgoing) {
      this.write(out.kind === 'snapshot' ? out.view.snapshotFrame() : out.view.changedFrame());
    }
  }

  private ack(id: FrameId | undefined): void {
    if (id !== undefined) this.send({ type: 'ack', id });
  }

  private sendError(
    error: FrameError | { code: string; message: string; id?: FrameId | undefined },
  ): void {
    this.send({
      type: 'error',
      ...(error.id === undefined ? {} : { id: error.id }),
      code: error.code,
      message: error.message,
    });
  }

  private send(frame: Record<string, unknown>): void {
    this.write(JSON.stringify(frame));
  }

  /**
   * Sends a frame: text through `ws`, or a whole WebSocket frame built once for many watchers,
   * written to the socket as is (without compression or Blobs, both off here, `ws` queues nothing,
   * so this keeps the order of frames). Writes wait for the end of the event loop's turn and
   * leave together (frame-writer.ts).
   */
  private write(frame: string | Buffer): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    const socket = socketOf(this.ws);
    if (!socket) return;
    const { maxSendBufferBytes } = this.deps.limits;
    // `length` of a string counts UTF-16 units: bytes for the ASCII JSON of the protocol, a little
    // under for non-ASCII status text, which is close enough for a bound on a stalled client.
    if (this.ws.bufferedAmount + frame.length > maxSendBufferBytes) {
      this.deps.logger.info(
        { session: this.identity.sessionId, buffered: this.ws.bufferedAmount },
        'slow consumer: closing',
      );
      this.closeWith(CLOSE.slowConsumer, `slow consumer: over ${maxSendBufferBytes} bytes unsent`);
      setTimeout(() => this.ws.terminate(), SLOW_CLOSE_GRACE_MS).unref();
      return;
    }
    corkUntilIdle(socket);
    if (typeof frame === 'string') this.ws.send(frame);
    else socket.write(frame);
  }
}
