export { ConfigError, isConfigError, parseConfig, type ConfigIssue } from './config.js';
export {
  envBool,
  envEnum,
  envInt,
  envLogLevel,
  envPort,
  envString,
  envUrl,
  LOG_LEVELS,
  type EnvSchema,
  type LogLevel,
} from './env.js';
export {
  grpcStatusError,
  toGrpcError,
  toHttpError,
  toHttpStatus,
  type GrpcStatusError,
  type HttpError,
} from './error-mapping.js';
export {
  startGrpcServer,
  type GrpcServerHandle,
  type GrpcServerOptions,
  type GrpcServiceRegistration,
} from './grpc-server.js';
export { unaryHandler } from './grpc-unary.js';
export { unimplementedService } from './grpc-unimplemented.js';
export {
  sendJson,
  startHttpServer,
  type HttpServerHandle,
  type HttpServerOptions,
  type ReadinessChecks,
} from './http-server.js';
export { createLifecycle, type Lifecycle, type LifecycleOptions } from './lifecycle.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { createMetrics, type Metrics } from './metrics.js';
