import { collectDefaultMetrics, Registry } from 'prom-client';

/** A service's metrics registry, exposed at `GET /metrics` by {@link startHttpServer}. */
export interface Metrics {
  readonly registry: Registry;
}

/**
 * A fresh registry (not prom-client's global one, so tests and several servers in one process do
 * not collide) with Node's default process metrics and a `service` label on every series.
 * Services register their own instruments with `registers: [metrics.registry]`.
 */
export function createMetrics(options: { readonly service: string }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  collectDefaultMetrics({ register: registry });
  return { registry };
}
