import { Metadata, status } from '@grpc/grpc-js';
import { isDomainError } from '@presence/domain';
import type { DomainError } from '@presence/domain';
import type { Logger } from 'pino';

/** A gRPC status as an Error: what grpc-js accepts in a unary callback or `call.emit('error')`. */
export interface GrpcStatusError extends Error {
  readonly code: status;
  readonly details: string;
  readonly metadata: Metadata;
}

const GRPC_CODE: Record<DomainError['kind'], status> = {
  validation: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  conflict: status.FAILED_PRECONDITION,
  forbidden: status.PERMISSION_DENIED,
  exhausted: status.RESOURCE_EXHAUSTED,
};

const HTTP_STATUS: Record<DomainError['kind'], number> = {
  validation: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  exhausted: 429,
};

// Marks errors built on purpose by `grpcStatusError`, so `toGrpcError` passes them through while
// status errors that bubble up from downstream calls are still masked as INTERNAL.
const DELIBERATE = Symbol('presence.grpcStatusError');

/**
 * A deliberate gRPC status the domain errors do not cover, such as UNAVAILABLE while the bus is
 * down. `toGrpcError` passes it through unchanged.
 */
export function grpcStatusError(
  code: status,
  details: string,
  metadata = new Metadata(),
): GrpcStatusError {
  return Object.assign(new Error(details), { code, details, metadata, [DELIBERATE]: true });
}

/**
 * Maps any thrown value to a gRPC status. Domain errors keep their message (it names the field and
 * value, which clients need) and carry `error-code` / `error-field` in the trailers for clients
 * that switch on codes. Anything else becomes INTERNAL with a generic message, because exception
 * text can hold SQL, hostnames or secrets; pass `logger` so the real error is still recorded.
 */
export function toGrpcError(err: unknown, logger?: Logger): GrpcStatusError {
  if (isDeliberate(err)) return err;
  const metadata = new Metadata();
  if (isDomainError(err)) {
    metadata.set('error-code', err.code);
    if (err.field !== undefined) metadata.set('error-field', err.field);
    return grpcStatusError(GRPC_CODE[err.kind], err.message, metadata);
  }
  logger?.error({ err }, 'unexpected error mapped to INTERNAL');
  metadata.set('error-code', 'internal');
  return grpcStatusError(status.INTERNAL, 'internal error', metadata);
}

/** The HTTP status for a thrown value: 400/404/409/403/429 for domain errors, else 500. */
export function toHttpStatus(err: unknown): number {
  return isDomainError(err) ? HTTP_STATUS[err.kind] : 500;
}

/** An HTTP error response: the status and the `{"error": <snake_case code>, "message"}` body. */
export interface HttpError {
  readonly status: number;
  readonly body: { readonly error: string; readonly message: string };
}

/** Maps a thrown value to an HTTP error response, hiding the text of non-domain errors. */
export function toHttpError(err: unknown): HttpError {
  if (isDomainError(err))
    return { status: toHttpStatus(err), body: { error: err.code, message: err.message } };
  return { status: 500, body: { error: 'internal', message: 'internal error' } };
}

function isDeliberate(err: unknown): err is GrpcStatusError {
  return typeof err === 'object' && err !== null && DELIBERATE in err;
}
