export { assertNever, fold, type Decider } from './decider.js';
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
