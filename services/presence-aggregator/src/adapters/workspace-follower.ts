import { randomUUID } from 'node:crypto';
import {
  consumeOrdered,
  isWrongLastSequence,
  jetstreamManager,
  publishEvent,
  type BusMessage,
  type JetStreamClient,
  type NatsConnection,
} from '@presence/bus';
import { DeviceEvent, WorkspaceState, subjects } from '@presence/contracts';
import { ConflictError } from '@presence/domain';
import type { Logger } from '@presence/kit';
import type { WorkspaceFact } from '../domain/facts.js';
import { INITIAL_WORKSPACE, evolveWorkspace, type Workspace } from '../domain/workspace.js';
import { customStatusToPb, decodeFact, settingsToPb } from './codec.js';
import { SOURCE } from './presence-events.js';

type Body = NonNullable<DeviceEvent['event']>;

/** A workspace fact as stored on `device.v1.workspace`, kept to copy it into partitions. */
export interface StoredWorkspaceFact {
  readonly revision: number;
  readonly eventId: string;
  readonly event: DeviceEvent;
}

export interface WorkspaceFollower {
  /** The workspace folded from `device.v1.workspace` so far. */
  readonly workspace: Workspace;
  /** The facts after `revision`, in revision order (to copy into a partition). */
  factsAfter(revision: number): readonly StoredWorkspaceFact[];
  /** Called after every fact folded in. */
  onAdvance(listener: () => void): void;
  /**
   * Appends the next workspace fact, decided on the current workspace (optimistic concurrency on
   * the subject: a concurrent admin change makes it decide again), and resolves once it is folded.
   */
  append(decide: (workspace: Workspace, revision: number) => Body): Promise<Workspace>;
  stop(): Promise<void>;
}

/**
 * Follows the authoritative workspace history (`device.v1.workspace`): the admin API decides on
 * it and appends to it, every partition worker copies it into its partition, and it publishes
 * the current WorkspaceState for gateways to `presence.v1.workspace`.
 */
export async function startWorkspaceFollower(deps: {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly logger: Logger;
  readonly minIdleTimeoutS: number;
}): Promise<WorkspaceFollower> {
  const { js, logger } = deps;
  const jsm = await jetstreamManager(deps.nc);
  let workspace = INITIAL_WORKSPACE;
  let lastSeq = 0n;
  const facts: StoredWorkspaceFact[] = [];
  const listeners: (() => void)[] = [];

  async function handle(batch: readonly BusMessage[]): Promise<void> {
    for (const message of batch) {
      lastSeq = message.seq;
      const decoded = decodeFact(message);
      if (!decoded.ok || !isWorkspaceFact(decoded.fact)) {
        logger.error(
          { seq: String(message.seq), reason: decoded.ok ? decoded.fact.type : decoded.reason },
          'skipping an unreadable workspace fact',
        );
        continue;
      }
      const next = evolveWorkspace(workspace, decoded.fact);
      if (next === workspace) continue;
      workspace = next;
      const event = DeviceEvent.decode(message.data);
      facts.push({ revision: next.revision, eventId: event.eventId, event });
    }
    for (const listener of [...listeners]) listener();
    await publishState();
  }

  /** The last stream sequence on the workspace subject, as the server knows it now. */
  async function headSeq(): Promise<bigint> {
    try {
      const stored = await jsm.streams.getMessage('DEVICE_EVENTS', {
        last_by_subj: subjects.workspaceFacts,
      });
      return stored ? BigInt(stored.seq) : 0n;
    } catch (error) {
      if ((error as { code?: unknown }).code === NO_MESSAGE) return 0n;
      throw error;
    }
  }

  async function caughtUp(): Promise<void> {
    const head = await headSeq();
    while (lastSeq < head) await advanced();
  }

  const advanced = () =>
    new Promise<void>((resolve) => {
      const listener = () => {
        listeners.splice(listeners.indexOf(listener), 1);
        resolve();
      };
      listeners.push(listener);
    });

  /** Gateways read the last value; a lagging replica must not overwrite a newer one. */
  async function publishState(): Promise<void> {
    if (lastSeq < (await headSeq())) return;
    const data = WorkspaceState.encode({
      settings: settingsToPb(workspace.settings),
      customStatuses: Object.values(workspace.customStatuses).map(customStatusToPb),
      minIdleTimeoutS: deps.minIdleTimeoutS,
      version: String(workspace.revision),
    }).finish();
    try {
      const current = await jsm.streams
        .getMessage('PRESENCE', { last_by_subj: subjects.workspaceState })
        .catch(() => null);
      if (current && Number(WorkspaceState.decode(current.data).version) > workspace.revision) {
        return;
      }
      await publishEvent(js, {
        natsSubject: subjects.workspaceState,
        id: `workspace:${workspace.revision}:${randomUUID()}`,
        type: 'presence.v1.WorkspaceState',
        source: SOURCE,
        subject: 'workspace',
        time: new Date().toISOString(),
        data,
      });
    } catch (error) {
      logger.warn(
        { err: error },
        'cannot publish the workspace state; gateways keep the previous one',
      );
    }
  }

  const consumption = consumeOrdered(deps.nc, {
    stream: 'DEVICE_EVENTS',
    filterSubject: subjects.workspaceFacts,
    startSeq: 1n,
    handle,
    onError: (error, attempt) =>
      logger.warn({ err: error, attempt }, 'workspace history: read failed; retrying'),
  });
  await caughtUp();
  await publishState();

  return {
    get workspace() {
      return workspace;
    },
    factsAfter: (revision) => facts.filter((fact) => fact.revision > revision),
    onAdvance: (listener) => {
      listeners.push(listener);
    },
    async append(decide) {
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        await caughtUp();
        const revision = workspace.revision + 1;
        const body = decide(workspace, revision);
        const id = randomUUID();
        const occurredAt = new Date().toISOString();
        try {
          await publishEvent(js, {
            natsSubject: subjects.workspaceFacts,
            id,
            type: 'presence.v1.DeviceEvent',
            source: SOURCE,
            subject: 'workspace',
            time: occurredAt,
            data: DeviceEvent.encode({ eventId: id, userId: '', occurredAt, event: body }).finish(),
            expectLastSubjectSequence: lastSeq,
          });
        } catch (error) {
          if (isWrongLastSequence(error)) continue;
          throw error;
        }
        while (workspace.revision < revision) await advanced();
        return workspace;
      }
      throw new ConflictError(
        'concurrent_change',
        'the workspace kept changing under this request; try again',
      );
    },
    stop: () => consumption.stop(),
  };
}

// JSNoMessageFoundErr
const NO_MESSAGE = 10037;

function isWorkspaceFact(fact: { type: string }): fact is WorkspaceFact {
  return (
    fact.type === 'WorkspaceSettingsChanged' ||
    fact.type === 'CustomStatusDefined' ||
    fact.type === 'CustomStatusDeleted'
  );
}
