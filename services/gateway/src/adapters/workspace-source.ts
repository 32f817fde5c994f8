import { createLastValueReader, type NatsConnection } from '@presence/bus';
import { Presence, subjects, WorkspaceState } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import {
  DEFAULT_WORKSPACE,
  isNewerWorkspace,
  type CustomStatusDef,
  type PresenceChoice,
  type Workspace,
} from '../domain/workspace.js';

/** Custom statuses map to online, away, busy or offline; offline means invisible (RULES.md 3). */
const CUSTOM_PRESENCE: Partial<Record<Presence, PresenceChoice>> = {
  [Presence.PRESENCE_ONLINE]: 'online',
  [Presence.PRESENCE_AWAY]: 'away',
  [Presence.PRESENCE_BUSY]: 'busy',
  [Presence.PRESENCE_OFFLINE]: 'invisible',
  [Presence.PRESENCE_INVISIBLE]: 'invisible',
};

/** The wire message as the domain sees it; unset parts fall back to the defaults of RULES.md. */
export function toWorkspace(state: WorkspaceState): Workspace {
  const settings = state.settings;
  const customStatuses = new Map<string, CustomStatusDef>();
  for (const status of state.customStatuses) {
    const presence = CUSTOM_PRESENCE[status.presence];
    if (presence) customStatuses.set(status.id, { id: status.id, name: status.name, presence });
  }
  return {
    ...DEFAULT_WORKSPACE,
    ...(settings && {
      idleTimeoutS: settings.idleTimeoutS,
      allowInvisible: settings.allowInvisible,
      allowCustomStatusText: settings.allowCustomStatusText,
      presenceEnabled: settings.presenceEnabled,
      maxConnections: settings.maxConnections,
      meetingSetsBusy: settings.meetingSetsBusy,
      reconnectGraceS: settings.reconnectGraceS,
      autoReenableBelow: settings.autoReenableBelow,
    }),
    // proto3 cannot tell 0 from unset, and RULES.md 1 has no idle timeout below 60 s anyway.
    ...(state.minIdleTimeoutS > 0 && { minIdleTimeoutS: state.minIdleTimeoutS }),
    customStatuses,
    version: BigInt(state.version),
  };
}

export type WorkspaceListener = (next: Workspace, previous: Workspace) => void;

/**
 * The current workspace: the last `presence.v1.workspace` message at startup, then every newer one
 * from a core subscription. The subscription is made before the read, and both travel on one
 * connection, so nothing published in between is missed; the version decides which copy wins.
 */
export async function createWorkspaceSource(nc: NatsConnection, logger: Logger) {
  let current = DEFAULT_WORKSPACE;
  const listeners: WorkspaceListener[] = [];

  const offer = (data: Uint8Array): void => {
    let next: Workspace;
    try {
      next = toWorkspace(WorkspaceState.decode(data));
    } catch (decodeError) {
      // Keep the copy we have: a bad message must not take settings (or the process) down.
      logger.error({ err: decodeError }, 'skipping unreadable WorkspaceState');
      return;
    }
    if (!isNewerWorkspace(next, current)) return;
    const previous = current;
    current = next;
    logger.info({ version: String(next.version) }, 'workspace state updated');
    for (const listener of listeners) listener(next, previous);
  };

  const subscription = nc.subscribe(subjects.workspaceState, {
    callback: (error, message) => {
      if (error) logger.error({ err: error }, 'workspace subscription failed');
      else offer(message.data);
    },
  });
  try {
    const reader = await createLastValueReader(nc, 'PRESENCE');
    const last = await reader.last(subjects.workspaceState);
    if (last) offer(last.data);
    else logger.info('no workspace state published yet; using the defaults');
  } catch (error) {
    subscription.unsubscribe();
    throw error;
  }

  return {
    current: (): Workspace => current,
    onChange(listener: WorkspaceListener): void {
      listeners.push(listener);
    },
    close: (): void => subscription.unsubscribe(),
  };
}

export type WorkspaceSource = Awaited<ReturnType<typeof createWorkspaceSource>>;
