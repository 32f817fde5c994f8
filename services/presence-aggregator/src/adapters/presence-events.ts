import type { OutgoingEvent } from '@presence/bus';
import { subjects } from '@presence/contracts';
import type { PresenceChange } from '../domain/record.js';
import { encodePresenceChanged } from './codec.js';

export const SOURCE = 'presence-aggregator';

/**
 * The PRESENCE event of a public change. Its id is `<user>:<version>`, so publishing it again
 * after a crash between publish and checkpoint is de-duplicated by JetStream (DESIGN.md).
 */
export function presenceChangedEvent(change: PresenceChange): OutgoingEvent {
  return event(
    subjects.presenceChanged(change.userId),
    `${change.userId}:${change.version}`,
    change,
  );
}

/** The change of a user's own view (invisible, hidden), for their devices. */
export function ownChangedEvent(change: PresenceChange): OutgoingEvent {
  return event(
    subjects.presenceOwn(change.userId),
    `own:${change.userId}:${change.version}`,
    change,
  );
}

function event(natsSubject: string, id: string, change: PresenceChange): OutgoingEvent {
  return {
    natsSubject,
    id,
    type: 'presence.v1.PresenceChanged',
    source: SOURCE,
    subject: change.userId,
    time: change.changedAt,
    data: encodePresenceChanged(change),
  };
}
