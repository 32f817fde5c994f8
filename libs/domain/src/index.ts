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
