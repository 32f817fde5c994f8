import { openBucket, type JetStreamClient, type KV, type KvWatchEntry } from '@presence/bus';
import { BUCKETS } from '@presence/contracts';
import type { Logger } from '@presence/kit';

export interface OwnedPartition {
  stop(): Promise<void>;
}

export interface PartitionOwnership {
  /** Partitions this replica owns now, ascending. */
  owned(): number[];
  /** Releases every lease (so another replica takes over at once) after stopping the workers. */
  stop(): Promise<void>;
}

export interface OwnershipOptions {
  readonly js: JetStreamClient;
  readonly logger: Logger;
  readonly instanceId: string;
  /** Partitions this replica may own (configuration). */
  readonly candidates: readonly number[];
  /** A lease not renewed for this long expires (bucket max age). */
  readonly leaseTtlMs: number;
  readonly renewMs: number;
  readonly start: (partition: number) => Promise<OwnedPartition>;
}

/** How many partitions each of `members` live replicas should own. */
export function fairShare(partitions: number, members: number): number {
  return Math.ceil(partitions / Math.max(1, members));
}

/**
 * Partition ownership with leases in KV (`presence_aggregator_leases`): key `p<n>` names the owner
 * and is renewed every `renewMs` by compare-and-set on its revision; the bucket's max age expires
 * the leases of a replica that died, so another takes its partitions over within the lease TTL
 * plus one renewal. Members heart-beat `m.<instance>`, and each replica owns about its fair share,
 * releasing extras when replicas join. Losing a renewal (someone else owns it now) stops the worker
 * at once; the projection's checkpoint check and the de-duplicated publishes cover the overlap.
 */
export async function startPartitionOwnership(
  options: OwnershipOptions,
): Promise<PartitionOwnership> {
  const { logger, instanceId } = options;
  const bucket: KV = await openBucket(options.js, {
    name: BUCKETS.leases,
    description: 'presence-aggregator partition leases (p<n> = owner) and members (m.<instance>).',
    ttlMs: options.leaseTtlMs,
  });
  const owned = new Map<number, { revision: number; worker: OwnedPartition }>();
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  async function release(partition: number, reason: string): Promise<void> {
    const lease = owned.get(partition);
    if (!lease) return;
    owned.delete(partition);
    await lease.worker.stop();
    await bucket
      .delete(leaseKey(partition), { previousSeq: lease.revision })
      .catch(() => undefined);
    logger.info({ partition, reason }, 'released partition');
  }

  /** Members by instance id, with when this replica last saw them heart-beat (its own clock). */
  const members = new Map<string, number>();
  const watch = await bucket.watch({ key: 'm.>' });
  void (async () => {
    for await (const entry of watch as AsyncIterable<KvWatchEntry>) {
      const member = entry.key.slice(2);
      if (entry.operation === 'PUT') members.set(member, Date.now());
      else members.delete(member);
    }
  })();
  /** Expired member keys vanish without a watch event: a member is live while it heart-beats. */
  const liveMembers = () => {
    const since = Date.now() - options.leaseTtlMs;
    let count = 0;
    for (const [member, seen] of members) if (member === instanceId || seen >= since) count += 1;
    return Math.max(1, count);
  };

  /** Renews one lease; a renewal whose answer was lost may still have landed, so check first. */
  async function renew(partition: number, lease: { revision: number; worker: OwnedPartition }) {
    try {
      lease.revision = await bucket.update(leaseKey(partition), instanceId, lease.revision);
      return;
    } catch {
      const entry = await bucket.get(leaseKey(partition)).catch(() => null);
      if (entry?.operation === 'PUT' && entry.string() === instanceId) {
        lease.revision = entry.revision;
        return;
      }
    }
    if (owned.get(partition) !== lease) return;
    owned.delete(partition);
    await lease.worker.stop();
    logger.warn({ partition }, 'lost the partition lease; stopped its worker');
  }

  async function round(): Promise<void> {
    // Renewals first and all at once: under load every round trip waits behind the batches.
    await Promise.all([
      ...[...owned].map(([partition, lease]) => renew(partition, lease)),
      bucket.put(memberKey(instanceId), instanceId),
    ]);
    const members = liveMembers();
    const share = fairShare(options.candidates.length, members);
    for (const partition of [...owned.keys()].sort((a, b) => b - a)) {
      if (owned.size <= share) break;
      await release(partition, `rebalancing to ${members} replicas`);
    }
    for (const partition of options.candidates) {
      if (owned.size >= share || stopped) break;
      if (owned.has(partition)) continue;
      let revision: number;
      try {
        revision = await bucket.create(leaseKey(partition), instanceId);
      } catch {
        continue; // owned by a live replica
      }
      try {
        const worker = await options.start(partition);
        owned.set(partition, { revision, worker });
        logger.info({ partition, members }, 'acquired partition');
      } catch (error) {
        logger.error({ err: error, partition }, 'cannot start the partition; releasing its lease');
        await bucket.delete(leaseKey(partition), { previousSeq: revision }).catch(() => undefined);
      }
    }
  }

  let queued = false;
  const tick = () => {
    // A slow round is not stacked behind by more rounds: one waits, the rest are skipped.
    if (queued) return;
    queued = true;
    running = running
      .then(() => {
        queued = false;
        return round();
      })
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'partition lease round failed; retrying');
      });
  };
  tick();
  await running;
  const interval = setInterval(tick, options.renewMs);

  return {
    owned: () => [...owned.keys()].sort((a, b) => a - b),
    async stop() {
      stopped = true;
      clearInterval(interval);
      watch.stop();
      await running;
      for (const partition of [...owned.keys()]) await release(partition, 'shutting down');
      await bucket.delete(memberKey(instanceId)).catch(() => undefined);
    },
  };
}

const leaseKey = (partition: number) => `p${partition}`;
const memberKey = (instanceId: string) => `m.${instanceId}`;
