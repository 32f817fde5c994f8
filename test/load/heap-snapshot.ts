import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HEAP_SNAPSHOT_SIGNAL, type GatewayProcess } from './gateway-process.js';

const snapshotsIn = (dir: string) =>
  new Set(readdirSync(dir).filter((name) => name.endsWith('.heapsnapshot')));

/**
 * Makes the gateway (started with LOAD_HEAP_SNAPSHOT=1) write a heap snapshot into `dir` and
 * waits until the file stops growing. V8 collects garbage first, so the heap it leaves is live.
 */
export async function takeHeapSnapshot(
  gateway: GatewayProcess,
  dir: string,
  timeoutMs = 180_000,
): Promise<string | undefined> {
  const before = snapshotsIn(dir);
  process.kill(gateway.child.pid, HEAP_SNAPSHOT_SIGNAL);
  const deadline = performance.now() + timeoutMs;
  let size = -1;
  while (performance.now() < deadline) {
    await sleep(1000);
    const file = [...snapshotsIn(dir)].find((name) => !before.has(name));
    if (file === undefined) continue;
    const now = statSync(join(dir, file)).size;
    // Node writes the snapshot and then answers /metrics again: a steady size is a whole file.
    if (now === size && now > 0 && (await gateway.metrics()) !== undefined) return join(dir, file);
    size = now;
  }
  return undefined;
}

interface HeapSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: string[];
      readonly node_types: [string[], ...unknown[]];
    };
  };
  readonly nodes: number[];
  readonly strings: string[];
}

/** Self size by kind of object (`object Foo`, `closure bar`, `string`...): what fills the heap. */
export function summarizeHeapSnapshot(file: string, perConnection: number, top = 20): string[] {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const sizes = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let i = 0; i < heap.nodes.length; i += fields.length) {
    const type = types[heap.nodes[i + typeAt!]!]!;
    const name = heap.strings[heap.nodes[i + nameAt!]!] ?? '';
    const named = type === 'object' || type === 'closure' || type === 'native';
    const key = named ? `${type} ${name.slice(0, 60)}` : `(${type})`;
    const bytes = heap.nodes[i + sizeAt!]!;
    const entry = sizes.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += bytes;
    entry.count += 1;
    sizes.set(key, entry);
    total += bytes;
  }
  const ranked = [...sizes].sort(([, a], [, b]) => b.bytes - a.bytes).slice(0, top);
  const each = (n: number) => (n / perConnection).toFixed(1);
  return [
    `${file}: ${(total / 2 ** 20).toFixed(0)} MiB live, ${each(total)} bytes per connection; by self size (bytes and objects per connection):`,
    ...ranked.map(
      ([key, { bytes, count }]) =>
        `  ${each(bytes).padStart(8)} B ${each(count).padStart(6)} x  ${key}`,
    ),
  ];
}
