import type { ClientFrame } from './frames.js';

/** Users per `watch` frame when restoring: the gateway's default per-call limit. */
export const MAX_USERS_PER_FRAME = 1000;

/** The gateway's id rule; checked before sending so a bad id never enters the set restored later. */
const ID = /^[A-Za-z0-9_-]{1,128}$/;
export const isValidId = (value: string): boolean => ID.test(value);

/**
 * What this client asked to watch. The gateway forgets a session's watches when its socket closes,
 * so after every reconnect these are sent again.
 */
export interface Watches {
  readonly users: Set<string>;
  readonly rooms: Set<string>;
  readonly meetings: Set<string>;
}

export const emptyWatches = (): Watches => ({
  users: new Set(),
  rooms: new Set(),
  meetings: new Set(),
});

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** The frames that give a new session the same watches as the last one. */
export function restoreFrames(watches: Watches): ClientFrame[] {
  return [
    ...chunk([...watches.users], MAX_USERS_PER_FRAME).map((users): ClientFrame => ({
      type: 'watch',
      users,
    })),
    ...[...watches.rooms].map((room): ClientFrame => ({ type: 'room.watch', room })),
    ...[...watches.meetings].map((meeting): ClientFrame => ({ type: 'meeting.watch', meeting })),
  ];
}
