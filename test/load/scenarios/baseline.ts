import { join } from 'node:path';
import { spawnNode, type NodeChild } from '../../bench/child-process.js';
import { REPO_ROOT } from '../../bench/config.js';
import { count } from '../../bench/progress.js';
import { describeLatency } from '../histograms.js';
import type { Harness } from '../harness.js';
import { sumCounts } from '../protocol.js';
import { describeCounts, kb, perSecond } from '../report.js';
import type { Scenario } from '../scenario.js';
import { closeAll, describeMemory, openGroup, sampleMemory } from '../steps.js';

async function startRawServer(h: Harness): Promise<{ child: NodeChild; url: string }> {
  const child = spawnNode({
    name: 'raw ws server',
    script: 'test/load/raw-ws-server.ts',
    cwd: REPO_ROOT,
    logFile: join(h.config.logDir, 'raw-ws-server.log'),
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.onLine((line) => {
      if (line.startsWith('{"port"')) resolve((JSON.parse(line) as { port: number }).port);
    });
    void child.exited.then((code) =>
      reject(new Error(`raw ws server exited (${code}):\n${child.output()}`)),
    );
  });
  return { child, url: `ws://127.0.0.1:${port}/v1/ws` };
}

/** A bare `ws` server holding N idle connections: what a WebSocket costs before any gateway code. */
export const baseline: Scenario = {
  name: 'baseline',
  title: (config) => `baseline: raw ws server, ${count(config.connections)} idle connections`,
  knobs: (config) => ({ LOAD_CONNECTIONS: config.connections }),
  needsSystem: false,
  async run(h) {
    const n = h.config.connections;
    h.checkClientCapacity(n);
    const server = await startRawServer(h);
    try {
      const before = await sampleMemory(server.child.pid, undefined, 1000);
      const opened = await openGroup(
        h,
        'baseline',
        { prefix: 'raw', count: n, watch: { kind: 'none' } },
        [server.url],
        { retries: 0 },
      );
      const after = await sampleMemory(server.child.pid);
      const perConnection = (after.rssBytes - before.rssBytes) / opened.established;
      h.baseline = { bytesPerConnection: perConnection, connectsPerS: opened.connectsPerS };
      const closed = await closeAll(h, false);
      return {
        rows: [
          { figure: 'connections held', value: `${count(opened.established)} of ${count(n)}` },
          { figure: 'raw ws server: RSS delta / N', value: kb(perConnection) },
          { figure: 'raw ws server: connects/s', value: perSecond(opened.connectsPerS) },
        ],
        notes: [
          `RSS ${((after.rssBytes - before.rssBytes) / 2 ** 20).toFixed(0)} MiB more with ${count(opened.established)} connections (${describeMemory(before, after).split(',')[0]})`,
          `connect (attempt -> hello): ${describeLatency(opened.connect)}`,
          `errors: ${describeCounts(sumCounts([opened.errors, closed.errors]))}`,
        ],
      };
    } finally {
      await closeAll(h, false).catch(() => undefined);
      await server.child.stop();
    }
  },
};
