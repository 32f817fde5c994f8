import {
  ConflictError,
  DEFAULT_WORKSPACE_SETTINGS,
  NotFoundError,
  ValidationError,
  assertNever,
  normalizeCustomStatusName,
  requireIdleTimeout,
  type WorkspaceSettings,
} from '@presence/domain';
import type { WorkspaceFact } from './facts.js';

export type { WorkspaceSettings };

/** What a custom status maps to; OFFLINE in the API means invisible (RULES.md 3). */
export type CustomStatusPresence = 'online' | 'away' | 'busy' | 'invisible';

export interface CustomStatus {
  readonly id: string;
  readonly name: string;
  readonly presence: CustomStatusPresence;
}

export interface Workspace {
  /** The revision of the last workspace fact folded in; 0 = none yet. */
  readonly revision: number;
  readonly settings: WorkspaceSettings;
  /** Who switched presence off: an admin, or the connection cap (only the cap re-enables itself). */
  readonly disabledBy: 'admin' | 'cap' | null;
  /** Sequence of the fact that switched presence off (in the log that folded it), while off. */
  readonly disabledAt: number | null;
  readonly customStatuses: Readonly<Record<string, CustomStatus>>;
}

export const INITIAL_WORKSPACE: Workspace = Object.freeze({
  revision: 0,
  settings: DEFAULT_WORKSPACE_SETTINGS,
  disabledBy: null,
  disabledAt: null,
  customStatuses: {},
});

/**
 * Applies the next workspace fact. Revision r applies only right after r - 1: a copy appended
 * twice, or one that overtook its predecessor, leaves the workspace unchanged (the copier appends
 * what is missing again).
 */
export function evolveWorkspace(current: Workspace, fact: WorkspaceFact): Workspace {
  if (fact.revision !== current.revision + 1) return current;
  const workspace = { ...current, revision: fact.revision };
  switch (fact.type) {
    case 'WorkspaceSettingsChanged': {
      const enabled = fact.settings.presenceEnabled;
      const switchedOff = !enabled && current.settings.presenceEnabled;
      return {
        ...workspace,
        settings: fact.settings,
        disabledBy: enabled
          ? null
          : switchedOff
            ? (fact.switchedBy ?? 'admin')
            : current.disabledBy,
        disabledAt: enabled ? null : switchedOff ? fact.seq : current.disabledAt,
      };
    }
    case 'CustomStatusDefined':
      return {
        ...workspace,
        customStatuses: { ...workspace.customStatuses, [fact.status.id]: fact.status },
      };
    case 'CustomStatusDeleted': {
      const { [fact.customStatusId]: _deleted, ...rest } = workspace.customStatuses;
      return { ...workspace, customStatuses: rest };
    }
    default:
      return assertNever(fact);
  }
}

/** Deployment limits the settings are checked against (RULES.md 1: minimum idle timeout 60 s). */
export interface SettingsLimits {
  readonly minIdleTimeoutS: number;
}

export type SettingsPatch = Partial<WorkspaceSettings>;

/**
 * UpdateSettings: the settings after the patch, or a precise refusal. Re-enabling presence is
 * refused while the connection count is still above the cap (RULES.md 4).
 */
export function decideSettings(
  workspace: Workspace,
  patch: SettingsPatch,
  context: { readonly limits: SettingsLimits; readonly connections: number },
): WorkspaceSettings {
  const next: WorkspaceSettings = { ...workspace.settings, ...patch };
  requireIdleTimeout(next.idleTimeoutS, context.limits.minIdleTimeoutS, 'idle_timeout_s');
  if (!Number.isInteger(next.reconnectGraceS) || next.reconnectGraceS < 1) {
    throw new ValidationError(
      'invalid_field',
      `reconnect_grace_s: must be at least 1 second, got ${next.reconnectGraceS}`,
      'reconnect_grace_s',
    );
  }
  if (next.autoReenableBelow > 0 && next.autoReenableBelow >= next.maxConnections) {
    throw new ValidationError(
      'invalid_field',
      `auto_reenable_below: must be below max_connections (${next.maxConnections}) to leave room for hysteresis, got ${next.autoReenableBelow}`,
      'auto_reenable_below',
    );
  }
  const enabling = patch.presenceEnabled === true && !workspace.settings.presenceEnabled;
  if (enabling && overCap(next, context.connections)) {
    throw new ConflictError(
      'over_connection_cap',
      `presence_enabled: ${context.connections} connections are above max_connections ${next.maxConnections}; raise the cap or wait until fewer are connected`,
      'presence_enabled',
    );
  }
  return next;
}

function overCap(settings: WorkspaceSettings, connections: number): boolean {
  return settings.maxConnections > 0 && connections > settings.maxConnections;
}

/**
 * The cap's own decision for a connection count (RULES.md 4): switch presence off above the cap;
 * switch it back on, when the cap switched it off and auto re-enable is set, at or below the
 * hysteresis mark. Null when nothing changes.
 */
export function decideCapSwitch(workspace: Workspace, connections: number): boolean | null {
  const { settings } = workspace;
  if (settings.presenceEnabled) return overCap(settings, connections) ? false : null;
  const reenable =
    workspace.disabledBy === 'cap' &&
    settings.autoReenableBelow > 0 &&
    connections <= settings.autoReenableBelow;
  return reenable ? true : null;
}

/** CreateCustomStatus: the new status, or a refusal (names are unique case-insensitively). */
export function decideCreateCustomStatus(
  workspace: Workspace,
  request: { readonly id: string; readonly name: string; readonly presence: CustomStatusPresence },
): CustomStatus {
  const name = normalizeCustomStatusName(request.name);
  requireUniqueName(workspace, name, request.id);
  return { id: request.id, name, presence: request.presence };
}

/** UpdateCustomStatus: the changed status (renaming keeps names unique). */
export function decideUpdateCustomStatus(
  workspace: Workspace,
  request: {
    readonly id: string;
    readonly name?: string | undefined;
    readonly presence?: CustomStatusPresence | undefined;
  },
): CustomStatus {
  const current = requireCustomStatus(workspace, request.id);
  const name = request.name === undefined ? current.name : normalizeCustomStatusName(request.name);
  requireUniqueName(workspace, name, current.id);
  return { id: current.id, name, presence: request.presence ?? current.presence };
}

export function requireCustomStatus(workspace: Workspace, id: string): CustomStatus {
  const status = workspace.customStatuses[id];
  if (!status) {
    throw new NotFoundError(
      'custom_status_not_found',
      `custom_status_id: no custom status ${JSON.stringify(id)}`,
      'custom_status_id',
    );
  }
  return status;
}

function requireUniqueName(workspace: Workspace, name: string, ownId: string): void {
  const key = name.toLocaleLowerCase('en-US');
  const clash = Object.values(workspace.customStatuses).find(
    (status) => status.id !== ownId && status.name.toLocaleLowerCase('en-US') === key,
  );
  if (clash) {
    throw new ConflictError(
      'custom_status_exists',
      `name: a custom status named ${JSON.stringify(clash.name)} already exists (names are unique ignoring case)`,
      'name',
    );
  }
}
