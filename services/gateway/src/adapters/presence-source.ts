import { createLastValueReader, type NatsConnection } from '@presence/bus';
import { PresenceChanged, subjects } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import { toWireView, unknownUserView, type WireView } from './wire.js';

/**
 * Where the gateway's presence views come from. Changes arrive on a plain core NATS subscription
 * to `presence.v1.changed.>` (JetStream-stored messages reach core subscribers too, and it is the
 * fastest path: DESIGN.md, hot path); snapshots are the PRESENCE stream's last message per subject.
 */
export async function createPresenceSource(nc: NatsConnection, logger: Logger) {
  const reader = await createLastValueReader(nc, 'PRESENCE');

  async function snapshot(user: string): Promise<WireView> {
    const last = await reader.last(subjects.presenceChanged(user));
    if (last === null) return unknownUserView(user);
    const view = PresenceChanged.decode(last.data).view;
    return view ? toWireView(view) : unknownUserView(user);
  }

  function subscribe(onChange: (view: WireView) => void): () => void {
    const subscription = nc.subscribe(subjects.presenceChangedAll, {
      callback: (error, message) => {
        if (error) {
          logger.error({ err: error }, 'presence subscription failed');
          return;
        }
        try {
          const view = PresenceChanged.decode(message.data).view;
          if (view) onChange(toWireView(view));
        } catch (decodeError) {
          logger.error(
            { err: decodeError, subject: message.subject },
            'skipping unreadable PresenceChanged',
          );
        }
      },
    });
    return () => subscription.unsubscribe();
  }

  return { snapshot, subscribe };
}

export type PresenceSource = Awaited<ReturnType<typeof createPresenceSource>>;
