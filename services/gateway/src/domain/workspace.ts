/**
 * The workspace as the gateway needs it to greet devices and check status commands: settings,
 * custom statuses and the smallest idle timeout (RULES.md 1-4). The presence-aggregator owns it and
 * publishes it whole; the gateway keeps the newest copy. No generated types here: the adapter
 * converts the wire message.
 */

import {
  DEFAULT_MIN_IDLE_TIMEOUT_S,
  DEFAULT_WORKSPACE_SETTINGS,
  type WorkspaceSettings,
} from '@presence/domain';

/** The built-in presences a user may choose (RULES.md 2); `invisible` is shown to others as offline. */
export const PRESENCE_CHOICES = ['online', 'away', 'busy', 'invisible'] as const;
export type PresenceChoice = (typeof PRESENCE_CHOICES)[number];

/** An admin-defined status: a name mapped to a built-in presence (offline = invisible). */
export interface CustomStatusDef {
  readonly id: string;
  readonly name: string;
  readonly presence: PresenceChoice;
}

export interface Workspace extends WorkspaceSettings {
  readonly minIdleTimeoutS: number;
  readonly customStatuses: ReadonlyMap<string, CustomStatusDef>;
  /** Sequence of the last workspace fact folded in; -1 for the built-in defaults. */
  readonly version: bigint;
}

/** RULES.md defaults, used until the aggregator has published a workspace state. */
export const DEFAULT_WORKSPACE: Workspace = Object.freeze({
  ...DEFAULT_WORKSPACE_SETTINGS,
  minIdleTimeoutS: DEFAULT_MIN_IDLE_TIMEOUT_S,
  customStatuses: new Map<string, CustomStatusDef>(),
  version: -1n,
});

/** Two copies can cross (startup read vs. live subscription): only a newer one replaces the current. */
export function isNewerWorkspace(incoming: Workspace, current: Workspace): boolean {
  return incoming.version > current.version;
}

/** The `settings` object of the `hello` frame (CONTRACT.md). */
export function helloSettings(workspace: Workspace) {
  return {
    idle_timeout_s: workspace.idleTimeoutS,
    allow_invisible: workspace.allowInvisible,
    allow_custom_status_text: workspace.allowCustomStatusText,
    presence_enabled: workspace.presenceEnabled,
  };
}
