import type { NatsConnection } from '@presence/bus';
import { lastToken, subjects } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import { textFrame } from './frame-writer.js';
import type { WatchHub } from './hub.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Delivers the frames services push to every device of a user (`push.v1.user.<user>`, e.g.
 * room-membership's `room.state`): each gateway takes those of the users connected to it (the
 * owners hub knows them) and builds the WebSocket frame once for all their devices. A payload
 * that is not a UTF-8 JSON object is dropped with an error log, never sent to a device.
 */
export function subscribeUserPushes(
  nc: NatsConnection,
  owners: WatchHub,
  logger: Logger,
): () => void {
  const subscription = nc.subscribe(subjects.userPushAll, {
    callback: (error, message) => {
      if (error) return;
      const user = lastToken(message.subject);
      if (!owners.has(user)) return;
      let text: string;
      try {
        text = utf8.decode(message.data);
      } catch {
        text = '';
      }
      if (!text.startsWith('{')) {
        logger.error(
          { subject: message.subject },
          'dropping a user push that is not a JSON object',
        );
        return;
      }
      owners.push(user, textFrame(text));
    },
  });
  return () => subscription.unsubscribe();
}
