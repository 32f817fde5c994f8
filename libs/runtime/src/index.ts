export { baseConfig, baseEnv, partitionsEnv, type BaseConfig } from './base-config.js';
export {
  runService,
  type CommandContext,
  type ServiceContext,
  type ServiceSpec,
  type Started,
} from './run-service.js';
