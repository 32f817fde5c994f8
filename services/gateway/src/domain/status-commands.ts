import {
  assertNever,
  ConflictError,
  NotFoundError,
  normalizeStatusText,
  requireIdleTimeout,
} from '@presence/domain';
import type { ShareAvailabilityName, StatusFrame } from './status-frames.js';
import type { PresenceChoice, Workspace } from './workspace.js';

/**
 * Decides the fact a status command appends to the device log, against the current workspace
 * (RULES.md 1-3). Throws the domain error the client gets instead: `ValidationError` for bad input
 * (`status_text_too_long`, `invalid_status_text`, `idle_timeout_too_short`), `ConflictError` for
 * what the admin disallowed (`invisible_not_allowed`, `status_text_not_allowed`), `NotFoundError`
 * for an unknown custom status (`custom_status_not_found`).
 */

export type StatusFact =
  | {
      readonly kind: 'manualStatusSet';
      readonly presence: PresenceChoice;
      /** Absent clears the text (a built-in choice). */
      readonly text?: string;
      /** The device the choice came from; empty when it came through the API. */
      readonly deviceId: string;
    }
  | { readonly kind: 'customStatusSelected'; readonly customStatusId: string }
  | { readonly kind: 'statusTextSet'; readonly text: string; readonly clearAfterS: number }
  | {
      readonly kind: 'preferencesSet';
      readonly idleTimeoutS?: number;
      readonly shareAvailability?: ShareAvailabilityName;
    };

export function decideStatus(
  command: StatusFrame,
  workspace: Workspace,
  deviceId: string,
): StatusFact {
  switch (command.type) {
    case 'status.set': {
      if (command.presence === 'invisible') requireInvisibleAllowed(workspace);
      const text = command.text === undefined ? '' : checkedText(command.text, workspace);
      return {
        kind: 'manualStatusSet',
        presence: command.presence,
        ...(text === '' ? {} : { text }),
        deviceId,
      };
    }
    case 'status.custom': {
      const status = workspace.customStatuses.get(command.customStatusId);
      if (!status) {
        throw new NotFoundError(
          'custom_status_not_found',
          `custom_status_id: no custom status ${JSON.stringify(command.customStatusId)} in this workspace`,
          'custom_status_id',
        );
      }
      if (status.presence === 'invisible') requireInvisibleAllowed(workspace);
      return { kind: 'customStatusSelected', customStatusId: status.id };
    }
    case 'status.text': {
      const text = checkedText(command.text, workspace);
      // An expiry on a cleared text would only schedule a timer with nothing to clear.
      return {
        kind: 'statusTextSet',
        text,
        clearAfterS: text === '' ? 0 : (command.clearAfterS ?? 0),
      };
    }
    case 'preferences.set': {
      const { idleTimeoutS, shareAvailability } = command;
      // 0 returns to the workspace default; anything else must reach the minimum.
      if (idleTimeoutS !== undefined && idleTimeoutS !== 0) {
        requireIdleTimeout(idleTimeoutS, workspace.minIdleTimeoutS, 'idle_timeout_s');
      }
      return {
        kind: 'preferencesSet',
        ...(idleTimeoutS === undefined ? {} : { idleTimeoutS }),
        ...(shareAvailability === undefined ? {} : { shareAvailability }),
      };
    }
    default:
      return assertNever(command);
  }
}

function requireInvisibleAllowed(workspace: Workspace): void {
  if (!workspace.allowInvisible) {
    throw new ConflictError(
      'invisible_not_allowed',
      'presence: invisible is disabled by the workspace admin',
      'presence',
    );
  }
}

/** Trims and checks the text (RULES.md 3); empty means "clear", which is always allowed. */
function checkedText(text: string, workspace: Workspace): string {
  const normalized = normalizeStatusText(text, 'text');
  if (normalized !== '' && !workspace.allowCustomStatusText) {
    throw new ConflictError(
      'status_text_not_allowed',
      'text: custom status text is disabled by the workspace admin',
      'text',
    );
  }
  return normalized;
}
