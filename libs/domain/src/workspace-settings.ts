import { ValidationError } from './errors.js';

/**
 * Workspace-wide presence settings (RULES.md 1-4). The presence-aggregator owns them; gateways
 * check commands against them; both start from the same defaults, the numbers of the rules.
 */
export interface WorkspaceSettings {
  readonly idleTimeoutS: number;
  readonly allowInvisible: boolean;
  readonly allowCustomStatusText: boolean;
  readonly presenceEnabled: boolean;
  /** 0 = no cap. */
  readonly maxConnections: number;
  readonly meetingSetsBusy: boolean;
  /** How long an abnormally closed device stays away before it is offline. */
  readonly reconnectGraceS: number;
  /** When the cap switched presence off, it switches back on at or below this count; 0 = never. */
  readonly autoReenableBelow: number;
}

export const DEFAULT_WORKSPACE_SETTINGS: WorkspaceSettings = Object.freeze({
  idleTimeoutS: 300,
  allowInvisible: true,
  allowCustomStatusText: true,
  presenceEnabled: true,
  maxConnections: 0,
  meetingSetsBusy: false,
  reconnectGraceS: 30,
  autoReenableBelow: 0,
});

/** RULES.md 1: an idle timeout below this is refused (a deployment may lower it for tests). */
export const DEFAULT_MIN_IDLE_TIMEOUT_S = 60;

/**
 * An idle timeout, a user's preference or the workspace default, checked against the minimum:
 * refused with `idle_timeout_too_short` naming the field, never silently raised (RULES.md 1).
 */
export function requireIdleTimeout(seconds: number, minimum: number, field: string): void {
  if (seconds < minimum) {
    throw new ValidationError(
      'idle_timeout_too_short',
      `${field}: ${seconds} s is below the minimum of ${minimum} s`,
      field,
    );
  }
}
