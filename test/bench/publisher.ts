import { createInbox, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import type { Workload } from './workload.js';

/** Where the publisher is; read by the progress printer. */
export interface PublishProgress {
  readonly sent: number;
  readonly acked: number;
  /** Stream sequence of each position acked so far (0 = not yet). */
  readonly seqs: Uint32Array;
}

export interface PublishResult {
  /** performance.now() of the first publish and of the last ack. */
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Stream sequence of each published position. */
  readonly seqs: Uint32Array;
  /** Highest stream sequence per partition (0 for a partition without events). */
  readonly lastSeqByPartition: readonly number[];
  /** Acks that said `duplicate` (expected 0: every event id is new). */
  readonly duplicates: number;
}

export interface PublishOptions {
  /** Full subject per user index (`device.v1.<p>.<user>`, or the raw stream's twin). */
  readonly subjectOfUser: readonly string[];
  readonly maxInFlight: number;
  /** Fails when no ack arrived for this long. */
  readonly stallMs: number;
  /** Receives the live counters once, to read them while publishing. */
  readonly onStart?: (progress: () => PublishProgress) => void;
}

const decoder = new TextDecoder();
const CONSTANT_HEADERS = {
  'ce-specversion': '1.0',
  'ce-type': 'presence.v1.DeviceEvent',
  'ce-source': 'gateway',
  datacontenttype: 'application/protobuf',
  'content-type': 'application/protobuf',
};

/**
 * Appends the workload to JetStream as the gateway does (same subject, payload and headers:
 * Nats-Msg-Id, traceparent and the CloudEvents set), pipelined: up to `maxInFlight` publishes
 * await their ack at once. It is what `js.publish` does on the wire, a publish with a reply
 * subject that the stream answers with its ack, minus the per-message promise and timer that cap
 * the client at ~30-40k/s (TOOLCHAIN.md); the headers object is reused, only its per-event values
 * change.
 */
export async function publishWorkload(
  nc: NatsConnection,
  workload: Workload,
  options: PublishOptions,
): Promise<PublishResult> {
  const { count } = workload;
  const seqs = new Uint32Array(count);
  const lastSeqByPartition = workload.perPartition.map(() => 0);
  const inbox = createInbox();
  const h = headers();
  for (const [key, value] of Object.entries(CONSTANT_HEADERS)) h.set(key, value);
  let sent = 0;
  let acked = 0;
  let duplicates = 0;
  let lastAckAt = performance.now();
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };

  const onAck = (message: Msg) => {
    const position = Number(message.subject.slice(inbox.length + 1));
    const body = decoder.decode(message.data);
    const seq = /"seq":(\d+)/.exec(body)?.[1];
    if (seq === undefined) {
      const status = message.headers
        ? ` (${message.headers.code} ${message.headers.description})`
        : '';
      failure ??= new Error(`publish #${position} was refused: ${body || 'no ack'}${status}`);
    } else {
      seqs[position] = Number(seq);
      const partition = workload.partitionOfUser[workload.userAt[position]!]!;
      if (seqs[position]! > lastSeqByPartition[partition]!)
        lastSeqByPartition[partition] = seqs[position]!;
      if (body.includes('"duplicate":true')) duplicates += 1;
    }
    acked += 1;
    lastAckAt = performance.now();
    signal();
  };
  const subscription = nc.subscribe(`${inbox}.*`, { callback: (_error, m) => onAck(m) });
  const stallTimer = setInterval(() => {
    if (sent > acked && performance.now() - lastAckAt > options.stallMs) {
      failure ??= new Error(`no JetStream ack for ${options.stallMs} ms (${acked}/${count} acked)`);
      signal();
    }
  }, 1000);
  options.onStart?.(() => ({ sent, acked, seqs }));

  const startedAt = performance.now();
  try {
    for (; sent < count && failure === undefined; sent++) {
      while (sent - acked >= options.maxInFlight && failure === undefined)
        await new Promise<void>((resolve) => (wake = resolve));
      const user = workload.userAt[sent]!;
      const id = workload.eventIdAt(sent);
      const hex = id.replaceAll('-', '');
      h.set('Nats-Msg-Id', id);
      h.set('ce-id', id);
      h.set('traceparent', `00-${hex}-${hex.slice(16)}-01`);
      h.set('ce-time', new Date(workload.timeAt[sent]!).toISOString());
      h.set('ce-subject', workload.users[user]!);
      nc.publish(options.subjectOfUser[user]!, workload.payloadAt(sent), {
        headers: h,
        reply: `${inbox}.${sent}`,
      });
    }
    while (acked < sent && failure === undefined)
      await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
    return { startedAt, finishedAt: lastAckAt, seqs, lastSeqByPartition, duplicates };
  } finally {
    clearInterval(stallTimer);
    subscription.unsubscribe();
  }
}
