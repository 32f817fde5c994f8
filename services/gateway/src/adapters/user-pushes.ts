import type { NatsConnection } from '@presence/bus';
import { lastToken, subjects } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import { textFrame } from './frame-writer.js';
import type { WatchHub } from './hub.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Delivers the frames services push (core NATS, a JSON object each): `push.v1.user.<user>` to
 * every device of a user connected here (room-membership's `room.state`; the owners hub knows
 * them), `push.v1.session.<this gateway>.<session>` to one session (its rooms' rosters). Each
 * WebSocket frame is built once for all its devices. A payload that is not a UTF-8 JSON object is
 * dropped with an error log, never sent to a device.
 */
export function subscribePushes(
  nc: NatsConnection,
  deps: {
    readonly gatewayId: string;
    readonly owners: WatchHub;
    readonly toSession: (sessionId: string, frame: Buffer) => void;
    readonly logger: Logger;
  },
): () => void {
  const stops = [
    listen(nc, subjects.userPushAll, deps.logger, {
      wants: (user) => deps.owners.has(user),
      deliver: (user, frame) => deps.owners.push(user, frame),
    }),
    listen(nc, subjects.sessionPushOf(deps.gatewayId), deps.logger, {
      wants: () => true,
      deliver: deps.toSession,
    }),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}

function listen(
  nc: NatsConnection,
  subject: string,
  logger: Logger,
  to: {
    readonly wants: (token: string) => boolean;
    readonly deliver: (token: string, frame: Buffer) => void;
  },
): () => void {
  const subscription = nc.subscribe(subject, {
    callback: (error, message) => {
      if (error) return;
      const token = lastToken(message.subject);
      if (!to.wants(token)) return;
      let text: string;
      try {
        text = utf8.decode(message.data);
      } catch {
        text = '';
      }
      if (!text.startsWith('{')) {
        logger.error({ subject: message.subject }, 'dropping a push that is not a JSON object');
        return;
      }
      to.deliver(token, textFrame(text));
    },
  });
  return () => subscription.unsubscribe();
}
