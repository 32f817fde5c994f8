import type { WebSocket } from 'ws';
import { isDomainError } from '@presence/domain';
import type { Logger } from '@presence/kit';
import {
  parseClientFrame,
  type ClientFrame,
  type FrameError,
  type FrameId,
} from '../domain/frames.js';
import type { PlatformName } from '../domain/handshake.js';
import { OwnFeed } from '../domain/own-feed.js';
import { decideStatus, type StatusFact } from '../domain/status-commands.js';
import type { StatusFrame } from '../domain/status-frames.js';
import { WatchSession, type Outgoing } from '../domain/watch-session.js';
import { helloSettings, type Workspace } from '../domain/workspace.js';
import type { DeviceLog, DeviceSessionRef } from './device-log.js';
import type { Watcher, WatchHub } from './hub.js';
import type { PresenceSource } from './presence-source.js';
import type { PresenceUpdate } from './wire.js';

export interface ConnectionLimits {
  readonly maxFrameBytes: number;
  readonly maxWatched: number;
  readonly maxUsersPerFrame: number;
}

export interface ConnectionDeps {
  /** Public views, by watched user. */
  readonly hub: WatchHub;
  /** Own views (`presence.v1.own.<user>`), by connected user. */
  readonly owners: WatchHub;
  readonly log: DeviceLog;
  readonly presence: PresenceSource;
  /** The current workspace (presence-aggregator owns it): `hello` settings and status checks. */
  readonly workspace: { current(): Workspace };
  readonly limits: ConnectionLimits;
  readonly logger: Logger;
}

export interface Identity extends DeviceSessionRef {
  readonly platform: PlatformName;
}

/** WebSocket close codes of CONTRACT.md and RFC 6455 used by the gateway. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  tryAgainLater: 1013,
  badRequest: 4400,
  unauthorized: 4401,
} as const;

const SNAPSHOT_CONCURRENCY = 64;

/**
 * One device session: appends its facts to the log, answers its frames in order, and delivers
 * the presence of the users it watches and of its own user (public and own views merged). Frames
 * are handled one at a time, so a watch's snapshots and ack go out before the next frame's answer.
 */
export class DeviceConnection implements Watcher {
  private readonly session: WatchSession<PresenceUpdate>;
  private readonly own = new OwnFeed<PresenceUpdate>();
  private readonly ownWatcher: Watcher = {
    deliver: (update) => this.sendAll(this.own.onChange(update, 'own')),
  };
  /** `hello` went out: only from then on may other frames reach the client. */
  private greeted = false;
  private queue: Promise<void> = Promise.resolve();
  /** The log holds this session's end (or never held its start): append no further disconnect. */
  private endRecorded = false;
  /** We started closing the socket (goodbye, drain, refusal): ignore further frames. */
  private closing = false;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly identity: Identity,
    private readonly deps: ConnectionDeps,
    /** Frames that arrived before the session was admitted, in order. */
    early: ReadonlyArray<[Buffer, boolean]> = [],
  ) {
    this.session = new WatchSession(deps.limits.maxWatched);
    this.enqueue(() => this.open());
    for (const [data, isBinary] of early) this.enqueue(() => this.onMessage(data, isBinary));
    ws.on('message', (data, isBinary) =>
      this.enqueue(() => this.onMessage(data as Buffer, isBinary)),
    );
    ws.on('close', () => this.onClose());
    ws.on('error', (error) =>
      deps.logger.debug({ err: error, session: identity.sessionId }, 'socket error'),
    );
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

  /** Ends the session for a gateway shutdown: the devices are not the ones going away. */
  async drain(reason: string): Promise<void> {
    if (this.closing || this.endRecorded) return;
    this.closing = true;
    this.ws.close(CLOSE.goingAway, reason);
    this.enqueue(() => this.recordEnd('drain'));
    await this.queue;
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
      snapshots = await Promise.all([presence.snapshot(self), presence.ownSnapshot(self)]);
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
    if (this.closed || this.closing) return;
    if (isBinary)
      return this.sendError({
        code: 'invalid_frame',
        message: 'frames must be JSON text, not binary',
      });
    const parsed = parseClientFrame(data.toString('utf8'), data.byteLength, this.deps.limits);
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
      case 'pending':
        return this.sendError({
          code: 'unavailable',
          message: `${frame.name} is not available yet`,
          id: frame.id,
        });
    }
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
    try {
      for (let i = 0; i < fresh.length; i += SNAPSHOT_CONCURRENCY) {
        const batch = fresh.slice(i, i + SNAPSHOT_CONCURRENCY);
        const views = await Promise.all(batch.map((user) => this.deps.presence.snapshot(user)));
        for (const view of views) this.sendAll(this.session.onSnapshot(view));
      }
    } catch (error) {
      // Undo the whole watch so no user waits forever for a snapshot; the client may retry it.
      this.unwatch(fresh);
      throw error;
    }
    this.ack(id);
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

  private onClose(): void {
    this.closed = true;
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
      if (out.kind === 'snapshot') this.send({ type: 'presence', ...out.view.wire });
      else this.sendRaw(out.view.frame());
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
    this.sendRaw(JSON.stringify(frame));
  }

  private sendRaw(text: string): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }
}
