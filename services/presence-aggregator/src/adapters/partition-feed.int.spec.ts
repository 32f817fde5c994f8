import {
  connectBus,
  ensureStreams,
  jetstream,
  publishEvent,
  type BusMessage,
  type JetStreamClient,
  type NatsConnection,
} from '@presence/bus';
import { STREAMS, subjects } from '@presence/contracts';
import { createLogger } from '@presence/kit';
import { startNatsServer, type NatsServerHandle } from '@presence/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartitionFeed } from './partition-feed.js';

let server: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
const logger = createLogger({ service: 'feed-test', level: 'silent' });

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectBus({ servers: server.url, name: 'feed-test' });
  await ensureStreams(nc, [STREAMS.DEVICE_EVENTS]);
  js = jetstream(nc);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

async function append(partition: number, n: number): Promise<bigint[]> {
  const seqs: bigint[] = [];
  for (let i = 0; i < n; i += 1) {
    const ack = await publishEvent(js, {
      natsSubject: subjects.device(partition, `u${i % 3}`),
      id: `p${partition}-${i}-${Math.random()}`,
      type: 't',
      source: 'test',
      subject: 'u',
      time: new Date().toISOString(),
      data: new Uint8Array([partition]),
    });
    seqs.push(BigInt(ack.seq));
  }
  return seqs;
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('partition feed (one reader, many partitions)', () => {
  it('hands each partition its messages after its position, in order, and none of the others', async () => {
    const zero = await append(0, 30);
    const one = await append(1, 30);
    const got = new Map<number, bigint[]>([
      [0, []],
      [1, []],
    ]);
    const feed = createPartitionFeed({ nc, logger });
    const collect = (partition: number) => async (batch: readonly BusMessage[]) => {
      got.get(partition)!.push(...batch.map((m) => m.seq));
    };
    feed.add(0, zero[9]!, collect(0));
    await until(() => got.get(0)!.length === 20);
    // Added later and further back: the reader goes back for it, the other partition skips.
    feed.add(1, 0n, collect(1));
    await until(() => got.get(1)!.length === 30);
    const more = await append(0, 5);
    await until(() => got.get(0)!.length === 25);
    expect(got.get(0)).toEqual([...zero.slice(10), ...more]);
    expect(got.get(1)).toEqual(one);
    expect(feed.backlog()).toBe(0);
    await feed.remove(0);
    await append(0, 3);
    await append(1, 1);
    await until(() => got.get(1)!.length === 31);
    expect(got.get(0)).toHaveLength(25);
    await feed.stop();
  });

  it('retries a batch a partition failed; the partitions that succeeded are not handed it again', async () => {
    const feed = createPartitionFeed({ nc, logger });
    const start = await append(2, 1);
    let failures = 1;
    const two: bigint[] = [];
    const three: bigint[] = [];
    feed.add(2, start[0]!, async (batch) => {
      if (failures-- > 0) throw new Error('transient');
      two.push(...batch.map((m) => m.seq));
    });
    feed.add(3, start[0]!, async (batch) => {
      three.push(...batch.map((m) => m.seq));
    });
    const sentTwo = await append(2, 4);
    const sentThree = await append(3, 4);
    await until(() => two.length === 4 && three.length === 4);
    expect(two).toEqual(sentTwo);
    expect(three).toEqual(sentThree);
    await feed.stop();
  });
});
