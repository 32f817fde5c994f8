import { PresenceSwitch } from '@presence/contracts';
import type { Logger } from '@presence/kit';
import { decideCapSwitch } from '../domain/workspace.js';
import { settingsToPb } from './codec.js';
import type { WorkspaceFollower } from './workspace-follower.js';

/**
 * RULES.md 4: above `max_connections` (counted across all gateways) presence switches itself
 * off, and back on at `auto_reenable_below` when set. One replica decides (the owner of partition
 * 0); the decision is a workspace fact like an admin's, so every partition and gateway follows it.
 */
export function startCapMonitor(deps: {
  readonly workspace: WorkspaceFollower;
  readonly connections: () => number;
  readonly isLeader: () => boolean;
  readonly logger: Logger;
  readonly intervalMs: number;
}): { stop(): void } {
  let busy = false;
  const check = async () => {
    if (busy || !deps.isLeader()) return;
    const connections = deps.connections();
    if (decideCapSwitch(deps.workspace.workspace, connections) === null) return;
    busy = true;
    try {
      await deps.workspace.append((current, revision) => {
        const enable = decideCapSwitch(current, connections);
        if (enable === null) throw new CapSettled();
        return {
          $case: 'workspaceSettingsChanged',
          value: {
            settings: settingsToPb({ ...current.settings, presenceEnabled: enable }),
            switchedBy: PresenceSwitch.PRESENCE_SWITCH_CAP,
            revision: String(revision),
          },
        };
      });
      deps.logger.warn(
        { connections, enabled: deps.workspace.workspace.settings.presenceEnabled },
        'the connection cap switched presence',
      );
    } catch (error) {
      if (!(error instanceof CapSettled)) {
        deps.logger.warn({ err: error }, 'cannot apply the connection cap; retrying');
      }
    } finally {
      busy = false;
    }
  };
  const interval = setInterval(() => void check(), deps.intervalMs);
  return { stop: () => clearInterval(interval) };
}

/** Someone else already made the decision this round. */
class CapSettled extends Error {}
