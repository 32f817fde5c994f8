/**
 * Domain errors carry a stable snake_case `code` that clients can switch on, and a message that
 * names the offending field and value. Adapters map the class to a transport status (gRPC code,
 * WebSocket error frame, HTTP status, NATS term); domain code only throws or returns them.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: 'validation' | 'not_found' | 'conflict' | 'forbidden' | 'exhausted';

  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input is malformed or out of range (gRPC INVALID_ARGUMENT, HTTP 400). */
export class ValidationError extends DomainError {
  readonly kind = 'validation' as const;
}

/** The entity does not exist (gRPC NOT_FOUND, HTTP 404). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found' as const;
}

/** The request is valid but the current state refuses it (gRPC FAILED_PRECONDITION, HTTP 409). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict' as const;
}

/** The actor may not do this (gRPC PERMISSION_DENIED, HTTP 403). */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden' as const;
}

/** A configured limit is reached (gRPC RESOURCE_EXHAUSTED, HTTP 429). */
export class LimitExceededError extends DomainError {
  readonly kind = 'exhausted' as const;
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
