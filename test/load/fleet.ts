import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import { Device, type DeviceEvents, type DeviceSpec } from './device.js';
import { encodeHistogram, newHistogram, recordUs } from './histograms.js';
import {
  addCounts,
  epochMs,
  type ClientTask,
  type CloseCommand,
  type CloseResult,
  type Counts,
  type CountResult,
  type Group,
  type OpenCommand,
  type OpenResult,
  type Progress,
} from './protocol.js';

const PLATFORMS = ['desktop', 'web', 'mobile'] as const;
/** Longest a single connection attempt may take (upgrade, hello, watch ack). */
const CONNECT_TIMEOUT_MS = 30_000;
/** Goodbyes per second per client when everything closes: a burst would be a storm of appends. */
const GOODBYES_PER_S = 2_500;

export const userId = (prefix: string, index: number) => `${prefix}-${index}`;

/** The users connection i of a group watches. */
export function watchedBy(group: Group, index: number): string[] {
  const rule = group.watch;
  switch (rule.kind) {
    case 'none':
      return [];
    case 'ring':
      return Array.from({ length: Math.min(rule.k, group.count - 1) }, (_, j) =>
        userId(group.prefix, (index + j + 1) % group.count),
      );
    case 'group':
      return Array.from({ length: rule.count }, (_, j) => userId(rule.prefix, j));
  }
}

export function count(into: Counts, key: string, n = 1): void {
  into[key] = (into[key] ?? 0) + n;
}

/**
 * The connections of one load-client process: connection i of a group belongs to client
 * `i mod workers`, binds to source address `floor(i / workers) mod addresses` (so every address
 * carries its share of ephemeral ports) and connects to `urls[i mod urls]`.
 */
export class Fleet implements DeviceEvents {
  readonly progress: { -readonly [K in keyof Progress]: Progress[K] } = {
    established: 0,
    failed: 0,
    sent: 0,
    received: 0,
  };
  /** Frames of established devices go here while a traffic step runs. */
  sink: ((device: Device, data: Buffer) => void) | undefined;
  private readonly groups = new Map<string, { group: Group; devices: Device[] }>();
  private errors: Counts = {};
  private readonly key: Uint8Array;

  constructor(private readonly task: ClientTask) {
    this.key = new TextEncoder().encode(task.jwtSecret);
  }

  onFrame(device: Device, data: Buffer): void {
    this.sink?.(device, data);
  }

  onDropped(_device: Device, code: number): void {
    count(this.errors, `dropped ${code}`);
  }

  /** Errors since the last call (each result carries those of its command). */
  takeErrors(): Counts {
    const taken = this.errors;
    this.errors = {};
    return taken;
  }

  /** Devices of these groups (their current slots: a churned device is replaced in place). */
  devices(prefixes?: readonly string[]): Device[][] {
    return [...this.groups.entries()]
      .filter(([prefix]) => prefixes === undefined || prefixes.includes(prefix))
      .map(([, entry]) => entry.devices);
  }

  /** All connections of these groups over all clients. */
  groupSize(prefixes: readonly string[]): number {
    return prefixes.reduce((n, prefix) => n + (this.groups.get(prefix)?.group.count ?? 0), 0);
  }

  async open(command: OpenCommand): Promise<OpenResult> {
    const { group, urls } = command;
    const { worker, workers, addresses } = this.task;
    const mine: number[] = [];
    for (let i = worker; i < group.count; i += workers) mine.push(i);
    const specs = await Promise.all(
      mine.map(async (index): Promise<DeviceSpec> => {
        const user = userId(group.prefix, index);
        const token = await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(user)
          .setExpirationTime('4h')
          .sign(this.key);
        const platform = PLATFORMS[index % PLATFORMS.length]!;
        const query = `token=${token}&device_id=d${index}&platform=${platform}`;
        return {
          group: group.prefix,
          index,
          user,
          url: `${urls[index % urls.length]}?${query}`,
          localAddress: addresses[Math.floor(index / workers) % addresses.length]!,
          watch: watchedBy(group, index),
        };
      }),
    );
    const entry = { group, devices: [] as Device[] };
    this.groups.set(group.prefix, entry);
    await sleep(Math.max(0, command.startAt - epochMs()));

    const connectUs = newHistogram();
    const errors: Counts = {};
    let established = 0;
    let attempted = 0;
    let retried = 0;
    let firstAttemptAt = 0;
    let lastEstablishedAt = 0;
    const deadline = epochMs() + command.deadlineMs;
    let next = 0;
    const lane = async () => {
      while (next < specs.length && epochMs() < deadline) {
        const spec = specs[next++]!;
        attempted++;
        const device = await this.connect(spec, command.retries, deadline, errors, {
          onAttempt: (at) => (firstAttemptAt ||= at),
          onRetry: () => retried++,
          onEstablished: (at, us) => {
            established++;
            lastEstablishedAt = at;
            recordUs(connectUs, us);
          },
        });
        if (device) entry.devices.push(device);
      }
    };
    await Promise.all(Array.from({ length: Math.min(command.inFlight, specs.length) }, lane));
    if (attempted < specs.length)
      count(errors, 'not attempted (deadline)', specs.length - attempted);
    return {
      attempted,
      established,
      errors: addCounts(errors, this.takeErrors()),
      retried,
      firstAttemptAt,
      lastEstablishedAt,
      connectUs: encodeHistogram(connectUs),
    };
  }

  /** One device, tried again after a refusal (429, 503) while retries and time are left. */
  async connect(
    spec: DeviceSpec,
    retries: number,
    deadline: number,
    errors: Counts,
    hooks: {
      onAttempt?: (at: number) => void;
      onRetry?: () => void;
      onEstablished?: (at: number, us: number) => void;
    } = {},
  ): Promise<Device | undefined> {
    for (let attempt = 0; ; attempt++) {
      const started = epochMs();
      hooks.onAttempt?.(started);
      const device = new Device(spec, this, CONNECT_TIMEOUT_MS);
      const outcome = await device.ready;
      if (outcome.ok) {
        const at = epochMs();
        this.progress.established++;
        hooks.onEstablished?.(at, (at - started) * 1000);
        return device;
      }
      count(errors, outcome.code);
      const refused = outcome.code === 'http 429' || outcome.code === 'http 503';
      const waitMs = (outcome.retryAfterS ?? 1) * 1000 * (1 + Math.random() / 2);
      if (!refused || attempt >= retries || epochMs() + waitMs > deadline) {
        this.progress.failed++;
        return undefined;
      }
      hooks.onRetry?.();
      await sleep(waitMs);
    }
  }

  /** Closes every connection, paced; what is still open at the deadline is terminated. */
  async close(command: CloseCommand): Promise<CloseResult> {
    const open = this.devices()
      .flat()
      .filter((device) => device.isOpen);
    const errors: Counts = {};
    const deadline = epochMs() + command.deadlineMs;
    const closing: Promise<void>[] = [];
    for (const [i, device] of open.entries()) {
      if (epochMs() > deadline) break;
      const closed = command.goodbye ? device.goodbye() : device.close();
      closing.push(
        closed.then((code) => {
          if (code !== 1000) count(errors, `close ${code}`);
        }),
      );
      if (i % 50 === 49) await sleep((50 * 1000) / GOODBYES_PER_S);
    }
    const left = Math.max(0, deadline - epochMs());
    await Promise.race([Promise.all(closing), sleep(left)]);
    let forced = 0;
    for (const device of open) {
      if (device.isOpen) {
        forced++;
        device.terminate();
      }
    }
    this.groups.clear();
    return { closed: open.length - forced, forced, errors: addCounts(errors, this.takeErrors()) };
  }

  count(): CountResult {
    const open: Counts = {};
    for (const [prefix, entry] of this.groups)
      open[prefix] = entry.devices.filter((device) => device.isOpen).length;
    return { open, errors: this.takeErrors() };
  }
}
