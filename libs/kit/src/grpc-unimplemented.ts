import { status } from '@grpc/grpc-js';
import type {
  handleBidiStreamingCall,
  handleClientStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  ServiceDefinition,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { grpcStatusError } from './error-mapping.js';

/**
 * An implementation in which every method (unary and all streaming kinds) fails with
 * UNIMPLEMENTED and `<service>/<Method> is not implemented yet`, so a service can be served and
 * health-checked before all of its RPCs exist.
 */
export function unimplementedService(
  definition: ServiceDefinition,
  serviceName: string,
): UntypedServiceImplementation {
  const implementation: UntypedServiceImplementation = {};
  for (const [key, method] of Object.entries(definition)) {
    // `path` is `/<package>.<Service>/<Method>`; the key may be camelCased (ts-proto).
    const methodName = method.path.split('/').pop() ?? key;
    const error = () =>
      grpcStatusError(status.UNIMPLEMENTED, `${serviceName}/${methodName} is not implemented yet`);
    implementation[key] = handler(method.requestStream, method.responseStream, error);
  }
  return implementation;
}

function handler(
  requestStream: boolean,
  responseStream: boolean,
  error: () => Error,
): UntypedHandleCall {
  // Streams report a status by emitting 'error'; unary-response calls through the callback.
  if (responseStream && requestStream) {
    const bidi: handleBidiStreamingCall<unknown, unknown> = (call) =>
      void call.emit('error', error());
    return bidi;
  }
  if (responseStream) {
    const serverStreaming: handleServerStreamingCall<unknown, unknown> = (call) =>
      void call.emit('error', error());
    return serverStreaming;
  }
  if (requestStream) {
    const clientStreaming: handleClientStreamingCall<unknown, unknown> = (_call, callback) =>
      callback(error());
    return clientStreaming;
  }
  const unary: handleUnaryCall<unknown, unknown> = (_call, callback) => callback(error());
  return unary;
}
