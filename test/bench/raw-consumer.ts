/**
 * The baseline without our code: plain @nats-io/jetstream ordered consumers (no acks), in their own
 * process like the aggregator. Started by the bench with one JSON argument (a RawConsumerTask);
 * reports JSON lines on stdout (`ready`, `progress`, `done`) and exits.
 */
import { jetstream, type JsMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { DeviceEvent } from '@presence/contracts';

export interface RawConsumerTask {
  readonly servers: string;
  readonly stream: string;
  /**
   * One ordered consumer each, from the stream's first message; without a filter it reads the
   * whole stream. Each is done after `count` messages or at sequence `endSeq`.
   */
  readonly consumers: readonly {
    readonly filter?: string;
    readonly count?: number;
    readonly endSeq?: number;
  }[];
  /** Decode every payload as a DeviceEvent and count them by kind. */
  readonly decode: boolean;
  /** `activeMs` runs from the first message (reading while publishing) or from the start (replay). */
  readonly timeFrom: 'first-message' | 'start';
}

/** What the `done` line carries; times are milliseconds measured inside this process. */
export interface RawConsumerDone {
  readonly type: 'done';
  readonly consumed: number;
  readonly activeMs: number;
  /** CPU of the whole process so far (the `ready` line has it too: subtract for the consuming). */
  readonly cpuMs: number;
  /** Messages per event kind (`deviceActivity`...), when decoding. */
  readonly kinds: Readonly<Record<string, number>>;
}

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const report = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(task: RawConsumerTask): Promise<void> {
  const nc = await connect({ servers: task.servers, noAsyncTraces: true, name: 'bench-raw' });
  // Creating a filtered consumer on a long stream makes nats-server 2.9 scan it: allow for that.
  const js = jetstream(nc, { timeout: 60_000 });
  const kinds: Record<string, number> = {};
  let consumed = 0;
  let firstAt = 0;
  let lastAt = 0;
  const isDone = (seen: number, seq: number, spec: RawConsumerTask['consumers'][number]) =>
    (spec.count !== undefined && seen >= spec.count) ||
    (spec.endSeq !== undefined && seq >= spec.endSeq);
  const pending = task.consumers.filter((spec) => spec.count !== 0 && spec.endSeq !== 0);
  let remaining = pending.length;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const startedAt = performance.now();

  const consumers = await Promise.all(
    pending.map(async (spec) => {
      const consumer = await js.consumers.get(
        task.stream,
        spec.filter === undefined ? {} : { filter_subjects: spec.filter },
      );
      let seen = 0;
      let done = false;
      const onMessage = (m: JsMsg) => {
        if (done) return;
        if (consumed === 0) firstAt = performance.now();
        if (task.decode) {
          const kind = DeviceEvent.decode(m.data).event?.$case ?? 'none';
          kinds[kind] = (kinds[kind] ?? 0) + 1;
        }
        seen += 1;
        consumed += 1;
        lastAt = performance.now();
        if (isDone(seen, m.seq, spec)) {
          done = true;
          if (--remaining === 0) finish();
        }
      };
      return consumer.consume({ max_messages: 1000, callback: onMessage });
    }),
  );
  if (remaining === 0) finish();
  report({ type: 'ready', cpuMs: cpuMs() });
  const progress = setInterval(() => report({ type: 'progress', consumed }), 1000);
  await finished;
  clearInterval(progress);
  const done: RawConsumerDone = {
    type: 'done',
    consumed,
    activeMs: lastAt - (task.timeFrom === 'first-message' ? firstAt : startedAt),
    cpuMs: cpuMs(),
    kinds,
  };
  report(done);
  await Promise.all(consumers.map((c) => c.close()));
  await nc.close();
}

main(JSON.parse(process.argv[2] ?? '{}') as RawConsumerTask).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`raw consumer failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
