import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { spawnNode, type NodeChild } from '../bench/child-process.js';
import { onCleanup } from '../bench/cleanup.js';
import { REPO_ROOT } from '../bench/config.js';
import { pollUntil } from '../bench/progress.js';
import {
  epochMs,
  type ClientMessage,
  type ClientTask,
  type Command,
  type Progress,
  type ResultOf,
} from './protocol.js';

/** Extra time the harness gives a command beyond its own deadline before calling it lost. */
const COMMAND_GRACE_MS = 60_000;

/** How long a command may take by its own terms. */
function budgetMs(command: Command): number {
  switch (command.type) {
    case 'open':
    case 'close':
      return (
        Math.max(0, ('startAt' in command ? command.startAt : 0) - epochMs()) + command.deadlineMs
      );
    case 'traffic':
      return command.startAt - epochMs() + command.durationMs + command.drainMs;
    case 'count':
      return 0;
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** One load-client process as the harness sees it: its control socket and commands in flight. */
class Client {
  socket: WebSocket | undefined;
  progress: Progress = { established: 0, failed: 0, sent: 0, received: 0 };
  readonly pending = new Map<number, Pending>();
  exitCode: number | null | undefined;

  constructor(readonly child: NodeChild) {
    void child.exited.then((code) => {
      this.exitCode = code;
      const error = new Error(`a load client exited (${code}):\n${child.output().slice(-4000)}`);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    });
  }

  receive(message: ClientMessage): void {
    if (message.type === 'progress') {
      const { established, failed, sent, received } = message;
      this.progress = { established, failed, sent, received };
      return;
    }
    const waiting = this.pending.get(message.seq);
    this.pending.delete(message.seq);
    if (message.type === 'result') waiting?.resolve(message.result);
    else waiting?.reject(new Error(`a load client failed: ${message.message}`));
  }
}

/**
 * The load-client processes (each below the open-file limit, each binding its sockets to the
 * loopback source addresses) and the control WebSocket the harness drives them through.
 */
export class LoadClients {
  private seq = 0;

  private constructor(private readonly clients: readonly Client[]) {}

  static async start(options: {
    readonly count: number;
    readonly addresses: readonly string[];
    readonly jwtSecret: string;
    readonly logDir: string;
    /** LOAD_CPU_PROF: each client writes its profile into `<dir>/load-client-<i>`. */
    readonly cpuProfileDir: string | undefined;
  }): Promise<LoadClients> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await once(server, 'listening');
    onCleanup('load-client control', () => new Promise((resolve) => server.close(() => resolve())));
    const controlUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clients = Array.from({ length: options.count }, (_, worker) => {
      const task: ClientTask = {
        controlUrl,
        worker,
        workers: options.count,
        addresses: options.addresses,
        jwtSecret: options.jwtSecret,
      };
      return new Client(
        spawnNode({
          name: `load client ${worker}`,
          script: 'test/load/load-client.ts',
          args: [JSON.stringify(task)],
          cwd: REPO_ROOT,
          logFile: join(options.logDir, `load-client-${worker}.log`),
          ...(options.cpuProfileDir === undefined
            ? {}
            : {
                nodeArgs: [
                  '--cpu-prof',
                  '--cpu-prof-dir',
                  join(options.cpuProfileDir, `load-client-${worker}`),
                ],
              }),
        }),
      );
    });
    server.on('connection', (socket, req) => {
      const worker = Number(new URL(req.url ?? '/', 'http://control').searchParams.get('worker'));
      const client = clients[worker];
      if (!client) return socket.close();
      client.socket = socket;
      socket.on('message', (data: Buffer) =>
        client.receive(JSON.parse(data.toString()) as ClientMessage),
      );
    });
    await pollUntil({
      what: 'the load clients to connect to the harness',
      intervalMs: 50,
      stallMs: 60_000,
      timeoutMs: 60_000,
      poll: async () => {
        const gone = clients.find((client) => client.exitCode !== undefined);
        if (gone) throw new Error(`a load client exited at start:\n${gone.child.output()}`);
        const ready = clients.filter((client) => client.socket !== undefined).length;
        return { done: ready === clients.length, progress: ready };
      },
    });
    return new LoadClients(clients);
  }

  get count(): number {
    return this.clients.length;
  }

  get pids(): number[] {
    return this.clients.map((client) => client.child.pid);
  }

  /** The clients' progress, summed (their last report, at most a second old). */
  progress(): Progress {
    const sum = { established: 0, failed: 0, sent: 0, received: 0 };
    for (const { progress } of this.clients) {
      sum.established += progress.established;
      sum.failed += progress.failed;
      sum.sent += progress.sent;
      sum.received += progress.received;
    }
    return sum;
  }

  /** Runs a command on every client (`make(worker)` builds each one's) and gathers the results. */
  run<K extends Command['type']>(
    make: (worker: number) => Extract<Command, { type: K }>,
  ): Promise<ResultOf[K][]> {
    return Promise.all(
      this.clients.map((client, worker) => {
        const command = make(worker);
        const seq = ++this.seq;
        const limitMs = budgetMs(command) + COMMAND_GRACE_MS;
        return new Promise<ResultOf[K]>((resolve, reject) => {
          if (client.exitCode !== undefined || !client.socket)
            return reject(new Error(`load client ${worker} is gone`));
          const timer = setTimeout(() => {
            client.pending.delete(seq);
            reject(new Error(`load client ${worker}: no answer to ${command.type} in time`));
          }, limitMs);
          const settle =
            <T>(then: (value: T) => void) =>
            (value: T) => {
              clearTimeout(timer);
              then(value);
            };
          client.pending.set(seq, {
            resolve: settle((result) => resolve(result as ResultOf[K])),
            reject: settle(reject),
          });
          client.socket.send(JSON.stringify({ seq, command }));
        });
      }),
    );
  }
}
