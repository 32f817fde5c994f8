export { assertNever } from './assert-never.js';
export {
  ConflictError,
  DomainError,
  ForbiddenError,
  isDomainError,
  LimitExceededError,
  NotFoundError,
  ValidationError,
} from './errors.js';
export { ID_PATTERN, isValidId, requireId } from './ids.js';
export {
  MAX_STATUS_TEXT_CODE_POINTS,
  normalizeCustomStatusName,
  normalizeStatusText,
} from './text.js';
export {
  DEFAULT_MIN_IDLE_TIMEOUT_S,
  DEFAULT_WORKSPACE_SETTINGS,
  requireIdleTimeout,
  type WorkspaceSettings,
} from './workspace-settings.js';
