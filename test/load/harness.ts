import { randomBytes } from 'node:crypto';
import { LoadClients } from './clients.js';
import { MAX_SOCKETS_PER_CLIENT, type LoadConfig } from './config.js';
import { startGateway, type GatewayProcess } from './gateway-process.js';
import { startSystem, type System } from './system.js';

/** What this run measured of a bare `ws` server, for the gateway figures to stand next to. */
export interface RawBaseline {
  readonly bytesPerConnection: number;
  readonly connectsPerS: number;
}

/**
 * What every scenario gets: the config, the load clients and the system (both started on first
 * use and kept for the run), and the baseline once measured.
 */
export class Harness {
  /** Device tokens are signed with it; every gateway of the run verifies with it. */
  readonly jwtSecret = `load-${randomBytes(16).toString('hex')}`;
  baseline: RawBaseline | undefined;
  private clientsStarted: Promise<LoadClients> | undefined;
  private systemStarted: Promise<System> | undefined;

  constructor(readonly config: LoadConfig) {}

  clients(): Promise<LoadClients> {
    return (this.clientsStarted ??= LoadClients.start({
      count: this.config.clients,
      addresses: this.config.addresses,
      jwtSecret: this.jwtSecret,
      logDir: this.config.logDir,
      cpuProfileDir: this.config.cpuProfileDir,
    }));
  }

  system(): Promise<System> {
    this.systemStarted ??= (async () => {
      const started = performance.now();
      console.log('starting nats-server, PostgreSQL and the presence-aggregator');
      const system = await startSystem(this.config);
      console.log(`  up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return system;
    })();
    return this.systemStarted;
  }

  /** Starts `count` gateways (in parallel) against the run's system. */
  async gateways(scenario: string, count: number): Promise<GatewayProcess[]> {
    const system = await this.system();
    return Promise.all(
      Array.from({ length: count }, (_, i) =>
        startGateway({
          name: count === 1 ? `gateway ${scenario}` : `gateway ${scenario} ${i + 1}`,
          config: this.config,
          natsUrl: system.servers.natsUrl,
          jwtSecret: this.jwtSecret,
        }),
      ),
    );
  }

  async gateway(scenario: string): Promise<GatewayProcess> {
    return (await this.gateways(scenario, 1))[0]!;
  }

  /** Fails early when a scenario would put more sockets in one client than its open-file limit. */
  checkClientCapacity(connections: number): void {
    const each = Math.ceil(connections / this.config.clients);
    if (each > MAX_SOCKETS_PER_CLIENT)
      throw new Error(
        `${connections} connections over ${this.config.clients} load clients is ${each} sockets each, above ${MAX_SOCKETS_PER_CLIENT}: raise LOAD_CLIENTS`,
      );
  }
}
