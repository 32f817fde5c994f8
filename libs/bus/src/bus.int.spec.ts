import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, subjects } from '@presence/contracts';
import { startNatsServer, type NatsServerHandle } from '@presence/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ack,
  connectBus,
  consumeDurable,
  consumeOrdered,
  createFencedPublisher,
  createLastValueReader,
  createPublisher,
  ensureDurable,
  ensureStreams,
  isWrongLastSequence,
  jetstream,
  nak,
  openBucket,
  publishEvent,
  term,
  type BusMessage,
  type NatsConnection,
  type OutgoingEvent,
} from './index.js';

let server: NatsServerHandle;
let nc: NatsConnection;

const event = (user: string, id: string, text = id): OutgoingEvent => ({
  natsSubject: subjects.device(0, user),
  id,
  type: 'presence.v1.DeviceEvent',
  source: 'bus-test',
  subject: user,
  time: '2026-11-22T10:00:00.000Z',
  data: new TextEncoder().encode(text),
});
const text = (m: BusMessage) => new TextDecoder().decode(m.data);

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectBus({ servers: server.url, name: 'bus-test' });
  await ensureStreams(nc, Object.values(STREAMS));
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe('ensureStreams', () => {
  it('declares every stream of the contract and is idempotent', async () => {
    await ensureStreams(nc, Object.values(STREAMS));
    const jsm = await jetstreamManager(nc);
    const names = [];
    for await (const info of jsm.streams.list()) names.push(info.config.name);
    expect(names.sort()).toEqual([
      'CHAT',
      'DEVICE_EVENTS',
      'MEETINGS',
      'NOTIFICATIONS',
      'PRESENCE',
      'ROOMS',
      'WEBHOOKS',
    ]);
    const presence = await jsm.streams.info('PRESENCE');
    expect(presence.config.allow_direct).toBe(true);
    expect(presence.config.max_msgs_per_subject).toBe(64);
  });

  it('updates a stream whose config drifted', async () => {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('ROOMS');
    await jsm.streams.update('ROOMS', { ...info.config, description: 'changed by hand' });
    await ensureStreams(nc, [STREAMS.ROOMS]);
    expect((await jsm.streams.info('ROOMS')).config.description).toBe(STREAMS.ROOMS.description);
  });
});

describe('publishing', () => {
  it('stores the payload with Nats-Msg-Id, traceparent and CloudEvents headers', async () => {
    const js = jetstream(nc);
    const ackd = await publishEvent(js, event('hdr', 'evt-hdr-1'));
    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage('DEVICE_EVENTS', { seq: ackd.seq });
    const h = stored!.header;
    expect(h.get('Nats-Msg-Id')).toBe('evt-hdr-1');
    expect(h.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(h.get('ce-specversion')).toBe('1.0');
    expect(h.get('ce-id')).toBe('evt-hdr-1');
    expect(h.get('ce-type')).toBe('presence.v1.DeviceEvent');
    expect(h.get('ce-source')).toBe('bus-test');
    expect(h.get('ce-subject')).toBe('hdr');
    expect(h.get('ce-time')).toBe('2026-11-22T10:00:00.000Z');
    expect(h.get('datacontenttype')).toBe('application/protobuf');
  });

  it('stores a retried event once (Nats-Msg-Id de-duplication)', async () => {
    const js = jetstream(nc);
    const first = await publishEvent(js, event('dup', 'evt-dup-1'));
    const again = await publishEvent(js, event('dup', 'evt-dup-1'));
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(first.seq);
  });

  it('pipelines many publishes and flushes them all', async () => {
    const publisher = createPublisher(jetstream(nc), { maxInFlight: 64 });
    for (let i = 0; i < 2000; i++) void publisher.publish(event('pipe', `evt-pipe-${i}`));
    await publisher.flush();
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('DEVICE_EVENTS', {
      subjects_filter: subjects.device(0, 'pipe'),
    });
    expect(info.state.subjects?.[subjects.device(0, 'pipe')]).toBe(2000);
  });

  it('reports a failed publish on flush', async () => {
    const publisher = createPublisher(jetstream(nc), { timeoutMs: 500 });
    void publisher.publish({ ...event('x', 'evt-nostream'), natsSubject: 'nowhere.v1.x' });
    await expect(publisher.flush()).rejects.toThrowError(
      /cannot publish presence.v1.DeviceEvent to nowhere.v1.x/,
    );
  });
});

describe('consumeOrdered', () => {
  it('delivers in order from a sequence, in batches, and stops at endSeq', async () => {
    const js = jetstream(nc);
    const seqs: number[] = [];
    for (let i = 0; i < 1200; i++)
      seqs.push((await publishEvent(js, event('ord', `evt-ord-${i}`, String(i)))).seq);
    const start = BigInt(seqs[200]!);
    const end = BigInt(seqs[1199]!);
    const seen: string[] = [];
    const batchSizes: number[] = [];
    const consumption = consumeOrdered(nc, {
      stream: 'DEVICE_EVENTS',
      filterSubject: subjects.device(0, 'ord'),
      startSeq: start,
      endSeq: end,
      maxBatch: 300,
      handle: async (batch) => {
        batchSizes.push(batch.length);
        seen.push(...batch.map(text));
      },
    });
    await consumption.done;
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => String(i + 200)));
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(300);
    expect(consumption.position()).toBe(end);
  });

  it('retries a failed batch without losing or reordering anything', async () => {
    const js = jetstream(nc);
    for (let i = 0; i < 50; i++)
      await publishEvent(js, event('retry', `evt-retry-${i}`, String(i)));
    const seen: string[] = [];
    let failures = 0;
    const errors: unknown[] = [];
    const consumption = consumeOrdered(nc, {
      stream: 'DEVICE_EVENTS',
      filterSubject: subjects.device(0, 'retry'),
      startSeq: 1n,
      maxBatch: 10,
      onError: (error) => errors.push(error),
      handle: async (batch) => {
        if (seen.length >= 20 && failures < 2) {
          failures += 1;
          throw new Error('database is down');
        }
        seen.push(...batch.map(text));
      },
    });
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(50);
    await consumption.stop();
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(errors).toHaveLength(2);
  });

  it('ends at endSeq when it falls between two messages of the filter', async () => {
    const js = jetstream(nc);
    await publishEvent(js, event('gap', 'evt-gap-1', 'first'));
    const end = (await publishEvent(js, event('other', 'evt-gap-other', 'x'))).seq;
    await publishEvent(js, event('gap', 'evt-gap-2', 'second'));
    const seen: string[] = [];
    const consumption = consumeOrdered(nc, {
      stream: 'DEVICE_EVENTS',
      filterSubject: subjects.device(0, 'gap'),
      startSeq: 1n,
      endSeq: BigInt(end),
      handle: async (batch) => {
        seen.push(...batch.map(text));
      },
    });
    await consumption.done;
    expect(seen).toEqual(['first']);
    expect(consumption.position()).toBe(BigInt(end));
  });

  it('replays a range to its end while the stream is being appended to', async () => {
    // nats-server 2.9 can leave a consumer created during concurrent appends answering 408 to
    // every pull although messages are pending: the reader replaces it without an error.
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    let appending = true;
    const appender = (async () => {
      for (let round = 0; appending; round++) {
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            publishEvent(js, event(`busy${i}`, `evt-busy-${round}-${i}`)),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const errors: unknown[] = [];
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      for (let round = 0; round < 4; round++) {
        const last = BigInt((await jsm.streams.info('DEVICE_EVENTS')).state.last_seq);
        const from = last > 3000n ? last - 3000n : 1n;
        await new Promise((resolve) => setTimeout(resolve, 300));
        let handled = 0;
        const consumption = consumeOrdered(nc, {
          stream: 'DEVICE_EVENTS',
          filterSubject: 'device.v1.>',
          startSeq: from,
          endSeq: last,
          maxBatch: 500,
          onError: (error) => errors.push(error),
          handle: async (batch) => {
            handled += batch.length;
            await new Promise((resolve) => setTimeout(resolve, 20));
          },
        });
        await consumption.done;
        expect(consumption.position()).toBe(last);
        expect(handled).toBe(Number(last - from + 1n));
      }
    } finally {
      appending = false;
      await appender;
    }
    expect(errors).toEqual([]);
  }, 60_000);

  it('keeps a pull open while idle (each sent before the last expires) and delivers what comes later', async () => {
    const js = jetstream(nc);
    const seen: string[] = [];
    const errors: unknown[] = [];
    const consumption = consumeOrdered(nc, {
      stream: 'DEVICE_EVENTS',
      filterSubject: subjects.device(0, 'idle'),
      startSeq: 1n,
      expiresMs: 300,
      onError: (error) => errors.push(error),
      handle: async (batch) => {
        seen.push(...batch.map(text));
      },
    });
    await publishEvent(js, event('idle', 'evt-idle-0', 'before'));
    await expect.poll(() => seen, { timeout: 5_000 }).toEqual(['before']);
    // Ten pulls and more come and go with nothing to deliver: none is taken for a dead consumer.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await publishEvent(js, event('idle', 'evt-idle-1', 'after'));
    await expect.poll(() => seen, { timeout: 5_000 }).toEqual(['before', 'after']);
    await consumption.stop();
    expect(errors).toEqual([]);
  });

  it('survives a nats-server restart and resumes after the last handled message', async () => {
    const js = jetstream(nc);
    const seen: string[] = [];
    const consumption = consumeOrdered(nc, {
      stream: 'DEVICE_EVENTS',
      filterSubject: subjects.device(0, 'restart'),
      startSeq: 1n,
      handle: async (batch) => {
        seen.push(...batch.map(text));
      },
    });
    for (let i = 0; i < 10; i++)
      await publishEvent(js, event('restart', `evt-restart-${i}`, String(i)));
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(10);
    server.kill();
    await server.restart();
    await expect
      .poll(
        async () =>
          publishEvent(js, event('restart', 'evt-restart-10', '10')).then(
            () => true,
            () => false,
          ),
        {
          timeout: 20_000,
          interval: 250,
        },
      )
      .toBe(true);
    await expect.poll(() => seen.length, { timeout: 20_000 }).toBe(11);
    await consumption.stop();
    expect(seen).toEqual(Array.from({ length: 11 }, (_, i) => String(i)));
  });
});

describe('consumeDurable', () => {
  it('acks, redelivers naks and never redelivers terms', async () => {
    const js = jetstream(nc);
    const filterSubject = subjects.device(0, 'durable');
    await ensureDurable(nc, {
      stream: 'DEVICE_EVENTS',
      durable: 'bus-test-durable',
      filterSubject,
      ackWaitMs: 60_000,
    });
    await ensureDurable(nc, {
      stream: 'DEVICE_EVENTS',
      durable: 'bus-test-durable',
      filterSubject,
      ackWaitMs: 60_000,
    });
    for (const name of ['ok', 'flaky', 'poison'])
      await publishEvent(js, event('durable', `evt-durable-${name}`, name));
    const deliveries: string[] = [];
    const consumption = consumeDurable(js, {
      stream: 'DEVICE_EVENTS',
      durable: 'bus-test-durable',
      handle: async (batch) =>
        batch.map((m) => {
          deliveries.push(`${text(m)}#${m.deliveries}`);
          if (text(m) === 'poison') return term('cannot decode');
          if (text(m) === 'flaky' && m.deliveries === 1) return nak(100);
          return ack;
        }),
    });
    await expect.poll(() => deliveries.includes('flaky#2'), { timeout: 10_000 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await consumption.stop();
    expect(deliveries.sort()).toEqual(['flaky#1', 'flaky#2', 'ok#1', 'poison#1']);
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info('DEVICE_EVENTS', 'bus-test-durable');
    expect({ ackPending: info.num_ack_pending, pending: info.num_pending }).toEqual({
      ackPending: 0,
      pending: 0,
    });
  });
});

describe('createLastValueReader', () => {
  it('reads the last message of a subject, or null', async () => {
    const js = jetstream(nc);
    const at = (user: string, id: string, body: string): OutgoingEvent => ({
      ...event(user, id, body),
      natsSubject: subjects.presenceChanged(user),
      type: 'presence.v1.PresenceChanged',
    });
    await publishEvent(js, at('lv', 'lv-1', 'first'));
    await publishEvent(js, at('lv', 'lv-2', 'second'));
    const reader = await createLastValueReader(nc, 'PRESENCE');
    const last = await reader.last(subjects.presenceChanged('lv'));
    expect(last && text(last)).toBe('second');
    expect(last?.meta.type).toBe('presence.v1.PresenceChanged');
    expect(await reader.last(subjects.presenceChanged('nobody'))).toBeNull();
  });
});

describe('optimistic concurrency (expectLastSubjectSequence)', () => {
  it('appends only while the subject is where the writer last saw it', async () => {
    const js = jetstream(nc);
    const first = await publishEvent(js, {
      ...event('occ', 'occ-1'),
      expectLastSubjectSequence: 0n,
    });
    const stale = await publishEvent(js, {
      ...event('occ', 'occ-2'),
      expectLastSubjectSequence: 0n,
    }).catch((error: unknown) => error);
    expect(isWrongLastSequence(stale)).toBe(true);
    const next = await publishEvent(js, {
      ...event('occ', 'occ-3'),
      expectLastSubjectSequence: BigInt(first.seq),
    });
    expect(next.seq).toBeGreaterThan(first.seq);
    expect(isWrongLastSequence(new Error('other'))).toBe(false);
  });
});

describe('openBucket', () => {
  it('creates a bucket with a max age, and binds to it again', async () => {
    const js = jetstream(nc);
    const spec = { name: 'bus_test_bucket', description: 'test', ttlMs: 5_000 };
    const bucket = await openBucket(js, spec);
    await bucket.put('k', 'v');
    const again = await openBucket(js, spec);
    expect((await again.get('k'))?.string()).toBe('v');
    expect((await again.status()).ttl).toBe(5_000);
  });
});

describe('createFencedPublisher', () => {
  it('stores every event published since the last flush once flush resolves', async () => {
    const js = jetstream(nc);
    const publisher = createFencedPublisher(nc, js);
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info('DEVICE_EVENTS')).state.messages;
    for (let i = 0; i < 300; i += 1) await publisher.publish(event(`fence${i % 7}`, `fence-${i}`));
    await publisher.flush();
    const after = (await jsm.streams.info('DEVICE_EVENTS')).state.messages;
    // The fence re-sends the last event: de-duplicated by its Nats-Msg-Id, so exactly 300.
    expect(after - before).toBe(300);
    await publisher.flush();
  });
});
