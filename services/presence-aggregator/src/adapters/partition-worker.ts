import {
  createFencedPublisher,
  createPublisher,
  publishEvent,
  type BusMessage,
  type JetStreamClient,
  type NatsConnection,
} from '@presence/bus';
import { DeviceEvent, subjects } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import { createProjectionWriter, isCheckpointConflictError, lockCheckpoint } from '@presence/store';
import type { Kysely } from 'kysely';
import { applyFacts, type Applied } from '../domain/apply-facts.js';
import type { Fact } from '../domain/facts.js';
import { viewsMoved, type PresenceChange, type UserRecord } from '../domain/record.js';
import { nextDueAt, timersOf } from '../domain/timers.js';
import { INITIAL_WORKSPACE, type Workspace } from '../domain/workspace.js';
import {
  writePartition,
  writeSnapshot,
  type PartitionSnapshot,
} from '../read-models/projection.js';
import { loadSnapshot } from '../read-models/queries.js';
import { userPresenceProjection, type PresenceDatabase } from '../read-models/tables.js';
import { decodeFact, timerBody } from './codec.js';
import type { GatewayLiveness } from './gateway-liveness.js';
import type { PartitionFeed } from './partition-feed.js';
import type { AggregatorMetrics } from './metrics.js';
import { ownChangedEvent, presenceChangedEvent, SOURCE } from './presence-events.js';
import { createTimerQueue } from './timer-queue.js';
import type { WorkspaceFollower } from './workspace-follower.js';

export interface PartitionWorkerDeps {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly db: Kysely<PresenceDatabase>;
  readonly partition: number;
  readonly logger: Logger;
  readonly metrics: AggregatorMetrics;
  readonly workspace: WorkspaceFollower;
  readonly gateways: Pick<GatewayLiveness, 'lost'>;
  /** The process's reader of DEVICE_EVENTS, shared by its partitions. */
  readonly feed: PartitionFeed;
  /** The only clock of the aggregator: it decides when a timer fact is due (DESIGN.md, timers). */
  readonly clock: () => number;
  readonly timerTickMs: number;
  /** A snapshot of the users' records is written with the commit that reaches this many events. */
  readonly snapshotEvery: number;
  /** A partition's commits start at most this often (changes are published at once regardless). */
  readonly commitIntervalMs: number;
  /** Partitions in all (PRESENCE_PARTITIONS): spreads the partitions' snapshots apart. */
  readonly partitions: number;
}

export interface PartitionWorker {
  readonly partition: number;
  /** Users known to the partition. */
  readonly users: () => number;
  stop(): Promise<void>;
}

/**
 * The live path of one partition: read DEVICE_EVENTS in order, fold each batch and publish its
 * changes at once (without waiting for acks), then write the rows and the checkpoint of everything
 * folded since the last commit in one transaction: caught up with the log, off the path of the
 * changes and at most every `commitIntervalMs`; behind it, with the batch. Before a commit a
 * fenced ack proves every change it covers stored, so a crash loses no change: it republishes the
 * same `<user>:<version>` ids after the checkpoint, which JetStream de-duplicates. Measured, a commit per batch put PostgreSQL on the path of every
 * change (the next batch waited for it): a few ms at p50 and hundreds at p99 at 500 changes/s,
 * and most of the CPU per change at low rates.
 *
 * Every `snapshotEvery` events (and when it stops) a commit also writes the records of the users
 * touched since the previous snapshot. A restart loads the snapshot and re-folds the events from
 * its position up to the checkpoint silently: they were published and written already.
 *
 * It also appends the partition's timer facts when they are due, and copies workspace facts into
 * the partition, so the log alone decides every state.
 */
export async function startPartitionWorker(deps: PartitionWorkerDeps): Promise<PartitionWorker> {
  const { js, db, partition, metrics, clock } = deps;
  const logger = deps.logger.child({ partition });
  const writer = createProjectionWriter(db, { projection: userPresenceProjection(partition) });
  // Changes go out without an ack each; one fenced ack per commit proves them stored before it.
  const publisher = createFencedPublisher(deps.nc, js);
  const timerPublisher = createPublisher(js);
  const timers = createTimerQueue();
  let workspace: Workspace;
  /** Records as of `folded` (ahead of the checkpoint by what the next commit writes). */
  let users: Map<string, UserRecord>;
  /** The last sequence folded into `users` (the checkpoint, once a restart re-folded up to it). */
  let folded = 0n;
  /** Folded and published since the last commit: what the next commit writes. */
  let uncommitted = noWrites();
  let commitTimer: ReturnType<typeof setTimeout> | undefined;
  let committing: Promise<void> | undefined;
  let lastCommitAt = -Infinity;
  /** Counts reloads of the stored state: a batch handled across one is dropped (the feed rewinds). */
  let rewinds = 0;
  /** Users whose record changed since the last snapshot, and the events folded since. */
  const unsnapshotted = new Set<string>();
  let sinceSnapshot = 0;
  /**
   * Events until the next snapshot. The first one after a start comes early by a share that
   * differs per partition, so partitions fed evenly do not all write theirs in the same second.
   */
  const staggered = () =>
    Math.max(1, Math.round(deps.snapshotEvery * (0.5 + partition / deps.partitions / 2)));
  let snapshotIn = staggered();
  let stopped = false;
  /**
   * Gateways devices of this partition connected through (since the snapshot): the ones whose death
   * may matter here. Checked against the users only when one is lost, so no fact pays for it.
   */
  const knownGateways = new Set<string>();
  /** Gateways whose GatewayLost this worker appended and has not folded yet. */
  const reportedLost = new Set<string>();

  /** Loads the snapshot; returns the position to fold from. */
  async function resume(): Promise<bigint> {
    const checkpoint = await writer.load();
    let snapshot = await loadSnapshot(db, partition);
    if (snapshot.position > checkpoint) {
      // The read model was reset behind the snapshot: fold from the start to write it again.
      logger.warn(
        { snapshot: String(snapshot.position), checkpoint: String(checkpoint) },
        'snapshot ahead of the checkpoint; folding from the start',
      );
      snapshot = { position: 0n, workspace: INITIAL_WORKSPACE, users: new Map() };
    }
    workspace = snapshot.workspace;
    users = new Map(snapshot.users);
    folded = snapshot.position;
    uncommitted = noWrites();
    rewinds += 1;
    unsnapshotted.clear();
    sinceSnapshot = 0;
    snapshotIn = staggered();
    knownGateways.clear();
    for (const record of users.values()) {
      for (const device of record.state.devices) knownGateways.add(device.gatewayId);
    }
    rescheduleAll();
    return folded;
  }

  function hasDevicesOn(gatewayId: string): boolean {
    for (const record of users.values()) {
      for (const device of record.state.devices) {
        if (device.gatewayId === gatewayId && device.closed === null) return true;
      }
    }
    return false;
  }

  function rescheduleAll(): void {
    for (const [userId, record] of users) {
      timers.schedule(userId, nextDueAt(record.state, workspace.settings));
    }
  }

  async function handle(batch: readonly BusMessage[]): Promise<void> {
    const started = performance.now();
    const unseen = batch.filter((message) => message.seq > folded);
    const committed = writer.position;
    const refold = unseen.filter((message) => message.seq <= committed);
    if (refold.length > 0) {
      // After a restart: what the snapshot lacks was published and written before; fold it only.
      adopt(applyFacts({ workspace, users }, decodeAll(refold)), refold.length);
      folded = refold[refold.length - 1]!.seq;
    }
    const fresh = unseen.filter((message) => message.seq > committed);
    if (fresh.length === 0) return;
    const applied = applyFacts({ workspace, users }, decodeAll(fresh));
    // The fact behind each change (its trace continues), indexed only when something changed.
    let bySeq: Map<number, BusMessage> | undefined;
    const causeOf = (version: number) =>
      (bySeq ??= new Map(fresh.map((message) => [Number(message.seq), message]))).get(version)?.meta
        .traceparent;
    for (const change of applied.changes) {
      if (change.published) {
        void publisher.publish(presenceChangedEvent(change, causeOf(change.version)));
      }
    }
    for (const change of applied.ownChanges) {
      if (change.published)
        void publisher.publish(ownChangedEvent(change, causeOf(change.version)));
    }
    for (const [id, after] of applied.updated) {
      if (viewsMoved(users.get(id), after)) uncommitted.records.set(id, after);
    }
    uncommitted.changes.push(...applied.changes);
    uncommitted.events.push(...fresh);
    adopt(applied, fresh.length);
    folded = fresh[fresh.length - 1]!.seq;
    metrics.eventsProcessed.inc({ partition }, fresh.length);
    metrics.changesPublished.inc({ partition }, applied.changes.length);
    metrics.batchSeconds.observe((performance.now() - started) / 1000);
    const epoch = rewinds;
    if (deps.feed.backlog() >= BEHIND_EVENTS) {
      // Behind the log: commit with the batch, as large batches make PostgreSQL fastest (measured:
      // committing off the path while catching up halved the live throughput of `npm run bench`).
      await commitNow();
    } else {
      scheduleCommit();
      // PostgreSQL is behind (or down): stop reading until it catches up rather than fill memory.
      while (uncommitted.events.length >= MAX_UNCOMMITTED_EVENTS && committing) await committing;
    }
    if (rewinds !== epoch) throw new Error('the partition folds again from its checkpoint');
  }

  /** Commits what was folded now, after a commit in flight. */
  async function commitNow(): Promise<void> {
    while (committing) await committing;
    clearTimeout(commitTimer);
    commitTimer = undefined;
    if (!stopped) await startCommit();
  }

  /** Starts a commit once `commitIntervalMs` passed since the last one started. */
  function scheduleCommit(): void {
    if (commitTimer || committing || stopped || uncommitted.events.length === 0) return;
    const wait = Math.max(0, lastCommitAt + deps.commitIntervalMs - performance.now());
    commitTimer = setTimeout(() => {
      commitTimer = undefined;
      void startCommit();
    }, wait);
  }

  /** One commit at a time; what was folded meanwhile is scheduled after it. */
  function startCommit(): Promise<void> {
    committing = commitFolded().finally(() => {
      committing = undefined;
      scheduleCommit();
    });
    return committing;
  }

  /**
   * Writes what was folded up to now with the checkpoint, once its changes are proven stored. A
   * failed write is retried (the rows are as of a position, so a retry writes the same); a fence
   * that failed, or a checkpoint someone else moved, fold again from the stored state instead.
   */
  async function commitFolded(): Promise<void> {
    if (uncommitted.events.length === 0) return;
    const started = (lastCommitAt = performance.now());
    const write = uncommitted;
    uncommitted = noWrites();
    const last = write.events[write.events.length - 1]!.seq;
    const snapshot = sinceSnapshot >= snapshotIn ? takeSnapshot(last) : undefined;
    try {
      await publisher.flush();
    } catch (error) {
      logger.warn({ err: error }, 'changes not proven stored; folding again from the checkpoint');
      return refoldFromCheckpoint();
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        await writer.commit(write.events, async (trx) => {
          await writePartition(trx, {
            partition,
            records: write.records.values(),
            changes: write.changes,
          });
          if (snapshot) await writeSnapshot(trx, snapshot);
        });
        break;
      } catch (error) {
        metrics.batchFailures.inc({ partition });
        if (isCheckpointConflictError(error) || stopped) {
          logger.warn({ err: error }, 'commit refused; folding again from the stored state');
          return refoldFromCheckpoint();
        }
        logger.warn({ err: error, attempt }, 'commit failed; retrying in 1 s');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    metrics.checkpoint.set({ partition }, Number(writer.position));
    metrics.commitSeconds.observe((performance.now() - started) / 1000);
  }

  /**
   * The snapshot as of the commit up to `position`: the records of the users touched since the
   * last one (folded up to `position`, since nothing was folded since the commit's cut).
   */
  function takeSnapshot(position: bigint): PartitionSnapshot {
    const records = [...unsnapshotted].map((id) => users.get(id)!);
    unsnapshotted.clear();
    sinceSnapshot = 0;
    snapshotIn = deps.snapshotEvery;
    return { partition, position, workspace, records };
  }

  /** Forgets what is not committed and folds it again, republishing (de-duplicated) its changes. */
  async function refoldFromCheckpoint(): Promise<void> {
    if (stopped) return;
    deps.feed.rewind(partition, await resume());
  }

  /** Takes a folded batch as the partition's state (once published, or when re-folding). */
  function adopt(applied: Applied, events: number): void {
    const settingsChanged = applied.workspace.settings !== workspace.settings;
    const workspaceChanged = applied.workspace !== workspace;
    workspace = applied.workspace;
    for (const [userId, record] of applied.updated) {
      users.set(userId, record);
      unsnapshotted.add(userId);
      timers.schedule(userId, nextDueAt(record.state, workspace.settings));
    }
    sinceSnapshot += events;
    // Timeouts and the grace are settings: every pending due time may have moved.
    if (settingsChanged) rescheduleAll();
    if (workspaceChanged) void copyWorkspace();
  }

  /** On stop: a snapshot at the checkpoint, so the next owner re-folds nothing. */
  async function snapshotAtCheckpoint(): Promise<void> {
    if (sinceSnapshot === 0 || folded !== writer.position) return;
    try {
      await db.transaction().execute(async (trx) => {
        // Only while nobody moved the checkpoint: our records are as of it.
        if ((await lockCheckpoint(trx, writer.projection)) !== folded) return;
        await writeSnapshot(trx, {
          partition,
          position: folded,
          workspace,
          records: [...unsnapshotted].map((id) => users.get(id)!),
        });
      });
    } catch (error) {
      logger.warn(
        { err: error },
        'cannot write the snapshot on stop; the next owner re-folds more',
      );
    }
  }

  function decodeAll(messages: readonly BusMessage[]): Fact[] {
    const facts: Fact[] = [];
    for (const message of messages) {
      const decoded = decodeFact(message);
      if (decoded.ok) {
        facts.push(decoded.fact);
        if (decoded.fact.type === 'DeviceConnected') knownGateways.add(decoded.fact.gatewayId);
      } else {
        // A fact nobody can read cannot change presence; skip it loudly rather than stall the partition.
        metrics.eventsRejected.inc({ partition });
        logger.error(
          { seq: String(message.seq), subject: message.subject, reason: decoded.reason },
          'skipping unreadable device event',
        );
      }
    }
    return facts;
  }

  /**
   * Appends the timer facts that are due. Each names the state it expires and has a stable id,
   * so a fact appended twice is stored once, and one overtaken by newer facts changes nothing.
   */
  let ticking = false;
  async function tick(): Promise<void> {
    // While the log has a backlog no timer fact is appended: it would be decided on a state the
    // backlog is about to change (and be ignored then), and catching up matters more.
    if (ticking || stopped || deps.feed.backlog() > 0) return;
    ticking = true;
    const now = clock();
    const due = timers.takeDue(now);
    try {
      for (const userId of due) {
        const record = users.get(userId);
        if (!record) continue;
        for (const timer of timersOf(record.state, workspace.settings)) {
          if (timer.dueAt > now) {
            timers.schedule(userId, timer.dueAt);
            break;
          }
          const occurredAt = new Date(timer.dueAt).toISOString();
          void timerPublisher.publish({
            natsSubject: subjects.device(partition, userId),
            id: timer.id,
            type: 'presence.v1.DeviceEvent',
            source: SOURCE,
            subject: userId,
            time: occurredAt,
            data: DeviceEvent.encode({
              eventId: timer.id,
              userId,
              occurredAt,
              event: timerBody(timer.fact),
            }).finish(),
          });
        }
      }
      const lost = appendGatewaysLost(now);
      await timerPublisher.flush();
      metrics.timerFactsAppended.inc({ partition }, due.length);
      if (lost.length > 0)
        logger.warn({ gateways: lost }, 'gateways stopped heart-beating: their devices go offline');
    } catch (error) {
      logger.warn({ err: error, users: due.length }, 'cannot append timer facts; retrying in 1 s');
      for (const userId of due) timers.schedule(userId, now + 1000);
      reportedLost.clear();
    } finally {
      ticking = false;
    }
  }

  /**
   * A dead gateway leaves no ghost online users: one GatewayLost per partition it had devices in.
   * The users are searched only for a gateway that is lost, until its GatewayLost is folded.
   */
  function appendGatewaysLost(now: number): string[] {
    const lost: string[] = [];
    for (const gatewayId of deps.gateways.lost(knownGateways)) {
      if (!hasDevicesOn(gatewayId)) {
        knownGateways.delete(gatewayId);
        reportedLost.delete(gatewayId);
      } else if (!reportedLost.has(gatewayId)) {
        lost.push(gatewayId);
      }
    }
    for (const gatewayId of lost) {
      reportedLost.add(gatewayId);
      const id = `gateway-lost:${gatewayId}:p${partition}`;
      const occurredAt = new Date(now).toISOString();
      void timerPublisher.publish({
        natsSubject: subjects.deviceAllUsers(partition),
        id,
        type: 'presence.v1.DeviceEvent',
        source: SOURCE,
        subject: gatewayId,
        time: occurredAt,
        data: DeviceEvent.encode({
          eventId: id,
          userId: '',
          occurredAt,
          event: { $case: 'gatewayLost', value: { gatewayId, lastHeartbeatAt: undefined } },
        }).finish(),
      });
    }
    return lost;
  }

  /**
   * Copies the workspace facts this partition has not folded yet, in revision order, one at a
   * time: only the partition's owner copies, so they land in order.
   */
  let copying = false;
  let copiedUpTo = 0;
  async function copyWorkspace(): Promise<void> {
    if (copying || stopped) return;
    copying = true;
    try {
      const from = Math.max(workspace.revision, copiedUpTo);
      for (const fact of deps.workspace.factsAfter(from)) {
        const id = `${fact.eventId}:p${partition}:r${workspace.revision}`;
        await publishEvent(js, {
          natsSubject: subjects.deviceAllUsers(partition),
          id,
          type: 'presence.v1.DeviceEvent',
          source: SOURCE,
          subject: 'workspace',
          time: fact.event.occurredAt ?? new Date().toISOString(),
          data: DeviceEvent.encode(fact.event).finish(),
        });
        copiedUpTo = fact.revision;
      }
    } catch (error) {
      logger.warn({ err: error }, 'cannot copy workspace facts into the partition; retrying later');
    } finally {
      copying = false;
    }
  }

  const start = await resume();
  logger.debug(
    { snapshot: String(start), checkpoint: String(writer.position), users: users!.size },
    'partition resumes',
  );
  deps.feed.add(partition, start, async (batch) => {
    try {
      await handle(batch);
    } catch (error) {
      metrics.batchFailures.inc({ partition });
      logger.warn({ err: error }, 'batch failed; retrying from the checkpoint');
      throw error;
    }
  });
  const interval = setInterval(() => void tick(), deps.timerTickMs);
  deps.workspace.onAdvance(() => void copyWorkspace());
  void copyWorkspace();

  return {
    partition,
    users: () => users.size,
    async stop() {
      stopped = true;
      clearInterval(interval);
      await deps.feed.remove(partition);
      clearTimeout(commitTimer);
      commitTimer = undefined;
      while (committing) await committing;
      // What was folded since goes in with one try (a failure leaves it to the next owner).
      if (uncommitted.events.length > 0) await commitFolded();
      await snapshotAtCheckpoint();
    },
  };
}

/**
 * Messages waiting in DEVICE_EVENTS from which a partition counts as behind and commits with each
 * batch: a message appended during a batch (common when caught up) must not put PostgreSQL back
 * on the path of the changes.
 */
const BEHIND_EVENTS = 1_000;

/** Events folded but not committed per partition before its reading waits for PostgreSQL. */
const MAX_UNCOMMITTED_EVENTS = 20_000;

interface PendingWrite {
  /** The events folded since the last commit, in order (the checkpoint moves to the last). */
  readonly events: BusMessage[];
  /** Each user's latest record whose views moved. */
  readonly records: Map<string, UserRecord>;
  readonly changes: PresenceChange[];
}

function noWrites(): PendingWrite {
  return { events: [], records: new Map(), changes: [] };
}
