/**
 * A load-client process (started by the harness, one of LOAD_CLIENTS): holds its share of the
 * device connections and runs the commands the harness sends over the control WebSocket. It
 * exits when the control connection closes, so it never outlives the harness.
 */
import WebSocket from 'ws';
import { Fleet } from './fleet.js';
import type { ClientMessage, ClientTask, Command } from './protocol.js';
import { runTraffic } from './traffic.js';

const PROGRESS_MS = 1000;

const task = JSON.parse(process.argv[2] ?? '{}') as ClientTask;
const fleet = new Fleet(task);
const control = new WebSocket(`${task.controlUrl}?worker=${task.worker}`, {
  perMessageDeflate: false,
});
const say = (message: ClientMessage) => {
  if (control.readyState === WebSocket.OPEN) control.send(JSON.stringify(message));
};

function run(command: Command): Promise<unknown> {
  switch (command.type) {
    case 'open':
      return fleet.open(command);
    case 'traffic':
      return runTraffic(fleet, command, task.workers);
    case 'close':
      return fleet.close(command);
    case 'count':
      return Promise.resolve(fleet.count());
  }
}

control.on('message', (data: Buffer) => {
  const { seq, command } = JSON.parse(data.toString()) as { seq: number; command: Command };
  run(command).then(
    (result) => say({ type: 'result', seq, result }),
    (error: unknown) =>
      say({ type: 'failed', seq, message: (error as Error).stack ?? String(error) }),
  );
});
control.on('error', (error) => {
  console.error(`load client ${task.worker}: control connection: ${error.message}`);
  process.exit(1);
});
control.on('close', () => process.exit(0));
setInterval(() => say({ type: 'progress', ...fleet.progress }), PROGRESS_MS).unref();
// Stopped by the harness: exit normally, so a --cpu-prof profile is written.
process.on('SIGTERM', () => process.exit(0));
