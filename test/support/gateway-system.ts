import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  DeviceEvent,
  Display,
  Presence,
  PresenceChanged,
  WorkspaceState,
  partitionOf,
  subjects,
  type PresenceView,
  type WorkspaceSettings,
} from '@presence/contracts';
import { DEFAULT_WORKSPACE_SETTINGS } from '@presence/domain';
import { startNatsServer, type NatsServerHandle } from '@presence/testing';
import { TEST_JWT_SECRET } from './device-client.js';
import { startService, type ServiceProcess } from './services.js';

export const PARTITIONS = 4;

/** RULES.md defaults as the aggregator publishes them. */
export const DEFAULT_SETTINGS: WorkspaceSettings = { ...DEFAULT_WORKSPACE_SETTINGS };

/**
 * A real nats-server and the gateway process alone, with the test standing in for the
 * presence-aggregator: it publishes WorkspaceState and PresenceChanged itself and reads what the
 * gateway appended to DEVICE_EVENTS. Gateway behaviour is checked without depending on how the
 * aggregator computes presence.
 */
export interface GatewaySystem {
  readonly nats: NatsServerHandle;
  readonly env: Record<string, string>;
  readonly gateway: ServiceProcess;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  /** Publishes the workspace state (stored in PRESENCE, so a starting gateway reads it too). */
  publishWorkspace(state: Partial<WorkspaceState> & { version: string }): Promise<void>;
  /** Publishes a view to `presence.v1.changed.<user>`, or `presence.v1.own.<user>` with `own`. */
  publishView(
    view: Partial<PresenceView> & { userId: string; version: string },
    own?: boolean,
  ): Promise<void>;
  /** Every DeviceEvent appended for the user, in log order, with its subject. */
  deviceEvents(user: string): Promise<Array<{ subject: string; event: DeviceEvent }>>;
  stop(): Promise<void>;
}

export async function startGatewaySystem(
  extraEnv: Record<string, string> = {},
): Promise<GatewaySystem> {
  const nats = await startNatsServer();
  const env = {
    NATS_URL: nats.url,
    PRESENCE_JWT_SECRET: TEST_JWT_SECRET,
    PRESENCE_PARTITIONS: String(PARTITIONS),
    ...extraEnv,
  };
  const gateway = await startService('gateway', env);
  const nc = await connect({ servers: nats.url });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  return {
    nats,
    env,
    gateway,
    nc,
    js,
    async publishWorkspace(state) {
      const message: WorkspaceState = {
        settings: DEFAULT_SETTINGS,
        customStatuses: [],
        minIdleTimeoutS: 60,
        ...state,
      };
      await js.publish(subjects.workspaceState, WorkspaceState.encode(message).finish());
    },
    async publishView(view, own = false) {
      const full: PresenceView = {
        presence: Presence.PRESENCE_OFFLINE,
        display: Display.DISPLAY_OFFLINE,
        online: false,
        devices: [],
        ...view,
      };
      const subject = own
        ? subjects.presenceOwn(view.userId)
        : subjects.presenceChanged(view.userId);
      const data = PresenceChanged.encode({ view: full, changedAt: new Date().toISOString() });
      await js.publish(subject, data.finish());
    },
    async deviceEvents(user) {
      const subject = subjects.device(partitionOf(user, PARTITIONS), user);
      const info = await jsm.streams.info('DEVICE_EVENTS', { subjects_filter: subject });
      const count = info.state.subjects?.[subject] ?? 0;
      const events: Array<{ subject: string; event: DeviceEvent }> = [];
      if (count === 0) return events;
      // An ordered consumer of just this subject (one filter as a string: nats-server 2.9), read up
      // to the count the stream reported.
      const consumer = await js.consumers.get('DEVICE_EVENTS', { filter_subjects: subject });
      const messages = await consumer.fetch({ max_messages: count, expires: 5_000 });
      for await (const m of messages) {
        events.push({ subject: m.subject, event: DeviceEvent.decode(m.data) });
        if (events.length === count) break;
      }
      return events;
    },
    async stop() {
      await nc.close();
      await gateway.stop();
      await nats.stop();
    },
  };
}
