import baseConfig from '../eslint.config.mjs';

// The lint fixtures break the rules on purpose; lint/domain-purity.spec.ts lints them itself.
export default [...baseConfig, { ignores: ['lint/fixtures/**'] }];
