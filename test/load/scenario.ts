import type { LoadConfig, ScenarioName } from './config.js';
import type { Harness } from './harness.js';
import type { Row } from './report.js';

/** One scenario of `npm run load`: what it is called, what reproduces it, and its run. */
export interface Scenario {
  readonly name: ScenarioName;
  title(config: LoadConfig): string;
  /** The variables it reads (for the reproduce line). */
  knobs(config: LoadConfig): Record<string, string | number>;
  /** Whether it needs nats-server, PostgreSQL, the aggregator and built gateways. */
  readonly needsSystem: boolean;
  run(h: Harness): Promise<{ rows: Row[]; notes: string[] }>;
}

/** The targets (2-core machine). */
export const TARGETS = {
  heldOneGateway: 19_000,
  heldAll: 50_000,
  bytesPerConnection: 8_000,
  connectsPerS: 2_000,
  fanoutPerS: 100_000,
  cpuPerDeliveryUs: 60,
  /** Latency targets by deliveries per second of the standard ring workload. */
  latencyMs: { 5_000: { p50: 2, p99: 5 }, 40_000: { p99: 25 } } as Record<
    number,
    { p50?: number; p99?: number }
  >,
} as const;
