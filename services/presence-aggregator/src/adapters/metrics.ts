import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface AggregatorMetrics {
  readonly eventsProcessed: Counter<'partition'>;
  readonly eventsRejected: Counter<'partition'>;
  readonly changesPublished: Counter<'partition'>;
  readonly batchFailures: Counter<'partition'>;
  readonly batchSeconds: Histogram;
  readonly commitSeconds: Histogram;
  readonly checkpoint: Gauge<'partition'>;
  readonly timerFactsAppended: Counter<'partition'>;
}

export function createAggregatorMetrics(registry: Registry): AggregatorMetrics {
  const registers = [registry];
  return {
    eventsProcessed: new Counter({
      name: 'presence_aggregator_events_total',
      help: 'Device events folded into presence.',
      labelNames: ['partition'],
      registers,
    }),
    eventsRejected: new Counter({
      name: 'presence_aggregator_events_rejected_total',
      help: 'Device events skipped because they could not be read.',
      labelNames: ['partition'],
      registers,
    }),
    changesPublished: new Counter({
      name: 'presence_aggregator_changes_total',
      help: 'PresenceChanged events published.',
      labelNames: ['partition'],
      registers,
    }),
    batchFailures: new Counter({
      name: 'presence_aggregator_batch_failures_total',
      help: 'Commits of folded events that failed (retried, or folded again from the checkpoint).',
      labelNames: ['partition'],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'presence_aggregator_batch_seconds',
      help: 'Time to fold one batch and publish its changes (its rows are committed later).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'presence_aggregator_commit_seconds',
      help: "Time to prove a commit's changes stored and write its rows and checkpoint.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    }),
    checkpoint: new Gauge({
      name: 'presence_aggregator_checkpoint',
      help: 'Last DEVICE_EVENTS sequence committed per partition.',
      labelNames: ['partition'],
      registers,
    }),
    timerFactsAppended: new Counter({
      name: 'presence_aggregator_timer_facts_total',
      help: 'Users whose due timer facts (idle, grace, text expiry, calendar) were appended.',
      labelNames: ['partition'],
      registers,
    }),
  };
}
