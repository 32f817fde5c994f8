export { baseConfig, baseEnv, partitionsEnv, type BaseConfig } from './base-config.js';
export { runService, type ServiceContext, type ServiceSpec, type Started } from './run-service.js';
