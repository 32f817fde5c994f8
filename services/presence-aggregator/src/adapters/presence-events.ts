import type { OutgoingEvent } from '@presence/bus';
import { subjects } from '@presence/contracts';
import type { PresenceChange } from '../domain/presence-step.js';
import { encodePresenceChanged } from './codec.js';

export const SOURCE = 'presence-aggregator';

/**
 * The PRESENCE event of a change. Its id is `<user>:<version>`, so publishing it again after a
 * crash between publish and checkpoint is de-duplicated by JetStream (DESIGN.md).
 */
export function presenceChangedEvent(change: PresenceChange): OutgoingEvent {
  const id = `${change.userId}:${change.version}`;
  return {
    natsSubject: subjects.presenceChanged(change.userId),
    id,
    type: 'presence.v1.PresenceChanged',
    source: SOURCE,
    subject: change.userId,
    time: change.changedAt,
    data: encodePresenceChanged(change),
  };
}
