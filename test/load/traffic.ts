import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode, startsWith, type Device } from './device.js';
import { count, type Fleet } from './fleet.js';
import { encodeHistogram, newHistogram, recordUs } from './histograms.js';
import {
  addCounts,
  epochMs,
  type Counts,
  type TrafficCommand,
  type TrafficResult,
} from './protocol.js';

const CHANGED = Buffer.from('{"type":"presence.changed"');
const ERROR = Buffer.from('{"type":"error"');
/** Status changes carry their send time as id too: the ack says when the log had the fact. */
const ACK = Buffer.from('{"type":"ack","id":');
/** Status changes carry their send time as status text: `t<epoch microseconds>`. */
const SENT_AT = Buffer.from('"status_text":"t');
const TICK_MS = 5;
/** A churned device comes back after this long (and watches again). */
const RECONNECT_DELAY_MS = 500;
/** Longest a step waits for its churned devices to be back. */
const RECONNECT_WAIT_MS = 10_000;

type Slot = readonly [devices: Device[], index: number];

const slotsOf = (groups: Device[][]): Slot[] =>
  groups.flatMap((devices) => devices.map((_, i) => [devices, i] as const));

/** The digits after `key` in the frame as a number, or -1 when the key is not there. */
function numberAfter(data: Buffer, key: Buffer): number {
  const at = data.indexOf(key);
  if (at < 0) return -1;
  let us = 0;
  for (let i = at + key.length; i < data.length; i++) {
    const digit = data[i]! - 48;
    if (digit < 0 || digit > 9) break;
    us = us * 10 + digit;
  }
  return us;
}

/** Sends `rate` per second from `start`, in ticks: how many are due now. */
const due = (rate: number, start: number, now: number, done: number) =>
  Math.max(0, Math.floor((rate * (now - start)) / 1000) - done);

/**
 * One traffic step of this client: status changes from its share of the senders (busy and online
 * in turn, the send time in the text), activity and churn from all its connections; meanwhile
 * every `presence.changed` that carries a send time is a delivery, timed at its arrival.
 */
export async function runTraffic(
  fleet: Fleet,
  command: TrafficCommand,
  workers: number,
): Promise<TrafficResult> {
  const senders = slotsOf(fleet.devices(command.senders));
  const everyone = slotsOf(fleet.devices());
  const totalSenders = fleet.groupSize(command.senders);
  const statusRate = totalSenders === 0 ? 0 : (command.statusPerS * senders.length) / totalSenders;
  const activityRate = command.activityPerS / workers;
  const churnRate = command.churnPerS / workers;
  const { startAt } = command;
  const windowStartUs = (startAt + command.warmupMs) * 1000;
  const endAt = startAt + command.durationMs;
  const windowEndUs = endAt * 1000;

  const latency = newHistogram();
  const acks = newHistogram();
  const errors: Counts = {};
  let deliveries = 0;
  let arrivedInWindow = 0;
  fleet.sink = (device, data) => {
    if (!startsWith(data, CHANGED)) {
      if (startsWith(data, ACK)) {
        const sentUs = numberAfter(data, ACK);
        if (sentUs >= windowStartUs) recordUs(acks, epochMs() * 1000 - sentUs);
      } else if (startsWith(data, ERROR)) count(errors, `error frame ${errorCode(data)}`);
      return;
    }
    const sentUs = numberAfter(data, SENT_AT);
    if (sentUs < 0 || data.indexOf(device.ownUser) >= 0 || !device.firstSight(sentUs)) return;
    const nowUs = epochMs() * 1000;
    deliveries++;
    fleet.progress.received++;
    if (nowUs >= windowStartUs && nowUs <= windowEndUs) arrivedInWindow++;
    if (sentUs >= windowStartUs) recordUs(latency, nowUs - sentUs);
  };

  let statusSent = 0;
  let statusSkipped = 0;
  let statusMeasured = 0;
  let activitySent = 0;
  let churned = 0;
  let reconnected = 0;
  let cursor = 0;
  const reconnects: Promise<void>[] = [];
  const pick = (slots: Slot[]) => slots[Math.floor(Math.random() * slots.length)];

  const sendStatus = () => {
    const [devices, i] = senders[cursor++ % senders.length]!;
    const device = devices[i]!;
    const now = epochMs();
    const presence = device.busyNext ? 'busy' : 'online';
    const us = Math.round(now * 1000);
    const frame = `{"type":"status.set","id":${us},"presence":"${presence}","text":"t${us}"}`;
    if (!device.send(frame)) {
      statusSkipped++;
      return;
    }
    device.busyNext = !device.busyNext;
    statusSent++;
    fleet.progress.sent++;
    if (now * 1000 >= windowStartUs) statusMeasured++;
  };
  const churn = (slot: Slot) => {
    const [devices, i] = slot;
    const device = devices[i]!;
    if (!device.isOpen || device.leaving) return;
    churned++;
    reconnects.push(
      device.goodbye().then(async () => {
        await sleep(RECONNECT_DELAY_MS);
        const deadline = epochMs() + RECONNECT_WAIT_MS;
        const fresh = await fleet.connect(device.spec, command.retries, deadline, errors);
        if (fresh) {
          devices[i] = fresh;
          reconnected++;
        }
      }),
    );
  };

  await sleep(Math.max(0, startAt - epochMs()));
  // A busy load client reads its frames late, which counts as latency: say how late it ran.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  let activityDone = 0;
  let churnDone = 0;
  for (let now = epochMs(); now < endAt; now = epochMs()) {
    if (senders.length > 0)
      for (let n = due(statusRate, startAt, now, statusSent + statusSkipped); n > 0; n--)
        sendStatus();
    for (let n = due(activityRate, startAt, now, activityDone); n > 0; n--, activityDone++) {
      const slot = pick(everyone);
      if (slot?.[0][slot[1]]?.send('{"type":"activity"}')) activitySent++;
    }
    for (let n = due(churnRate, startAt, now, churnDone); n > 0; n--, churnDone++) {
      const slot = pick(everyone);
      if (slot) churn(slot);
    }
    await sleep(TICK_MS);
  }
  await sleep(command.drainMs);
  loopDelay.disable();
  await Promise.race([Promise.all(reconnects), sleep(RECONNECT_WAIT_MS + RECONNECT_DELAY_MS)]);
  fleet.sink = undefined;
  if (statusSkipped > 0) count(errors, 'status not sent (sender closed)', statusSkipped);
  if (churned > reconnected) count(errors, 'churned, not back', churned - reconnected);
  return {
    statusSent,
    statusMeasured,
    activitySent,
    churned,
    reconnected,
    deliveries,
    arrivedInWindow,
    latencyUs: encodeHistogram(latency),
    ackUs: encodeHistogram(acks),
    loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    errors: addCounts(errors, fleet.takeErrors()),
  };
}
