import type { handleUnaryCall } from '@grpc/grpc-js';
import { toGrpcError } from './error-mapping.js';
import type { Logger } from './logger.js';

/**
 * A unary gRPC handler from an async function of the request: its result is the response, and
 * whatever it throws becomes a precise status (`toGrpcError`: domain errors by kind, the rest
 * INTERNAL, logged).
 */
export function unaryHandler<Req, Res>(
  logger: Logger,
  handler: (request: Req) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    handler(call.request).then(
      (response) => callback(null, response),
      (error: unknown) => callback(toGrpcError(error, logger)),
    );
  };
}
