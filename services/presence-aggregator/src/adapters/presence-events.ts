import { childTraceparent, type OutgoingEvent } from '@presence/bus';
import { subjects } from '@presence/contracts';
import type { PresenceChange } from '../domain/record.js';
import { encodePresenceChanged } from './codec.js';

export const SOURCE = 'presence-aggregator';

/**
 * The PRESENCE event of a public change. Its id is `<user>:<version>`, so publishing it again
 * after a crash between publish and checkpoint is de-duplicated by JetStream (DESIGN.md).
 */
export function presenceChangedEvent(change: PresenceChange, cause?: string): OutgoingEvent {
  const id = `${change.userId}:${change.version}`;
  return event(subjects.presenceChanged(change.userId), id, change, cause);
}

/** The change of a user's own view (invisible, hidden), for their devices. */
export function ownChangedEvent(change: PresenceChange, cause?: string): OutgoingEvent {
  const id = `own:${change.userId}:${change.version}`;
  return event(subjects.presenceOwn(change.userId), id, change, cause);
}

/** `cause` is the traceparent of the fact that changed the view: the change continues its trace. */
function event(
  natsSubject: string,
  id: string,
  change: PresenceChange,
  cause: string | undefined,
): OutgoingEvent {
  const traceparent = childTraceparent(cause);
  return {
    natsSubject,
    id,
    type: 'presence.v1.PresenceChanged',
    source: SOURCE,
    subject: change.userId,
    time: change.changedAt,
    data: encodePresenceChanged(change),
    ...(traceparent === undefined ? {} : { traceparent }),
  };
}
