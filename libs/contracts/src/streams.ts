/**
 * The JetStream streams of CONTRACT.md, as data: the bus declares them idempotently from here.
 * Everything is a log (limits retention, no age limit) except PRESENCE, which keeps a bounded
 * history per user: its last message per subject is the user's current view.
 */
export interface StreamSpec {
  readonly name: StreamName;
  readonly subjects: readonly string[];
  readonly description: string;
  /** Messages kept per subject; 0 = unlimited. */
  readonly maxMsgsPerSubject: number;
  /** Enables direct get (last message per subject without a consumer); nats-server >= 2.9. */
  readonly allowDirect: boolean;
  /** De-duplication window for Nats-Msg-Id. */
  readonly duplicateWindowMs: number;
}

export type StreamName =
  'DEVICE_EVENTS' | 'PRESENCE' | 'ROOMS' | 'MEETINGS' | 'CHAT' | 'NOTIFICATIONS' | 'WEBHOOKS';

const TWO_MINUTES = 120_000;

function log(name: StreamName, subject: string, description: string): StreamSpec {
  return {
    name,
    subjects: [subject],
    description,
    maxMsgsPerSubject: 0,
    allowDirect: false,
    duplicateWindowMs: TWO_MINUTES,
  };
}

export const STREAMS: Readonly<Record<StreamName, StreamSpec>> = {
  DEVICE_EVENTS: log(
    'DEVICE_EVENTS',
    'device.v1.>',
    'Device facts per user: the source of truth for presence.',
  ),
  PRESENCE: {
    name: 'PRESENCE',
    subjects: ['presence.v1.>'],
    description:
      'Presence views (changed.<user>: as others see them; own.<user>: as the user sees it) and the workspace state; the last message per subject is current.',
    maxMsgsPerSubject: 64,
    allowDirect: true,
    duplicateWindowMs: TWO_MINUTES,
  },
  ROOMS: log('ROOMS', 'room.v1.>', 'Rooms, members and per-user room state.'),
  MEETINGS: log('MEETINGS', 'meeting.v1.>', 'Meetings and attendee rosters.'),
  CHAT: log('CHAT', 'chat.v1.>', 'Chat messages posted into rooms.'),
  NOTIFICATIONS: log('NOTIFICATIONS', 'notify.v1.>', 'Notifications routed to users.'),
  WEBHOOKS: log('WEBHOOKS', 'webhook.v1.>', 'Incoming webhook configuration per room.'),
};

/** KV buckets (bucket-level max age; per-key TTL does not work on nats-server 2.9). */
export const BUCKETS = {
  /** Gateway heart-beats: key = gateway id, value = GatewayHeartbeat. */
  gateways: 'presence_gateways',
  /** Aggregator partition leases (`p<partition>` = owner) and members (`m.<instance>`). */
  leases: 'presence_aggregator_leases',
} as const;
