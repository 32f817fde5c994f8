import {
  DisconnectReason,
  Platform,
  Presence,
  SystemState,
  type DeviceEvent,
} from '@presence/contracts';
import type { Random } from './random.js';

/** The body of one device event (the `oneof` of DeviceEvent). */
export type EventBody = NonNullable<DeviceEvent['event']>;

/** One step of a user's day: how long after the previous step, and what happened. */
export interface ScriptStep {
  readonly gapMs: number;
  readonly body: EventBody;
}

interface Device {
  readonly id: string;
  readonly platform: Platform;
  session: string | undefined;
  /** Locked, asleep or in the background: the next event on it usually brings it back. */
  dormant: SystemState | undefined;
}

const PLATFORMS = {
  desktop: Platform.PLATFORM_DESKTOP,
  web: Platform.PLATFORM_WEB,
  mobile: Platform.PLATFORM_MOBILE,
} as const;
/** The gateway instances the simulated connections are on (they heart-beat during phase 2). */
export const GATEWAYS = Array.from({ length: 8 }, (_, i) => `gateway-${i}`);
const TEXTS = ['In a meeting', 'Lunch', 'Focus time', 'Commuting', 'Out sick', 'On a call'];
const SECOND = 1000;
/** The event that ends each dormant state. */
const WAKE: Partial<Record<SystemState, SystemState>> = {
  [SystemState.SYSTEM_STATE_LOCKED]: SystemState.SYSTEM_STATE_UNLOCKED,
  [SystemState.SYSTEM_STATE_SLEEP]: SystemState.SYSTEM_STATE_WAKE,
  [SystemState.SYSTEM_STATE_BACKGROUND]: SystemState.SYSTEM_STATE_FOREGROUND,
};

/**
 * What one user's devices do, in order: a device connects before anything happens on it; activity
 * (reported at most every ~30 s) dominates; devices lock and unlock, go to the background and
 * come back; the user sometimes sets a presence or a status text; connections end with a goodbye or
 * drop (abnormal) and usually come back a few seconds later. `count` steps exactly.
 */
export function userScript(random: Random, count: number): ScriptStep[] {
  const devices = chooseDevices(random);
  const steps: ScriptStep[] = [];
  let reconnectGap = 0;
  const push = (gapMs: number, body: EventBody) => steps.push({ gapMs, body });

  const connect = (device: Device, gapMs: number) => {
    device.session = random.hex(32);
    device.dormant = undefined;
    push(gapMs, {
      $case: 'deviceConnected',
      value: {
        deviceId: device.id,
        sessionId: device.session,
        platform: device.platform,
        gatewayId: random.pick(GATEWAYS),
      },
    });
  };

  while (steps.length < count) {
    const online = devices.filter((d) => d.session !== undefined);
    if (online.length === 0) {
      connect(random.next() < 0.85 ? devices[0]! : random.pick(devices), reconnectGap);
      continue;
    }
    const device = random.pick(online);
    const ref = { deviceId: device.id, sessionId: device.session! };
    const roll = random.next();
    if (device.dormant !== undefined && roll < 0.7) {
      const state = WAKE[device.dormant] ?? SystemState.SYSTEM_STATE_FOREGROUND;
      device.dormant = undefined;
      push(random.between(5, 120) * SECOND, {
        $case: 'deviceSystemEvent',
        value: { ...ref, state },
      });
    } else if (roll < 0.6) {
      push(random.between(10, 40) * SECOND, { $case: 'deviceActivity', value: ref });
    } else if (roll < 0.7) {
      device.dormant = dormantState(random, device.platform);
      push(random.between(5, 90) * SECOND, {
        $case: 'deviceSystemEvent',
        value: { ...ref, state: device.dormant },
      });
    } else if (roll < 0.735) {
      push(random.between(5, 60) * SECOND, manualStatus(random, device.id));
    } else if (roll < 0.765) {
      push(random.between(5, 60) * SECOND, statusText(random));
    } else if (roll < 0.8 && online.length < devices.length) {
      connect(
        devices.find((d) => d.session === undefined)!,
        random.between(5, 60) * SECOND,
      );
    } else if (roll < 0.88) {
      const goodbye = random.next() < 0.65;
      device.session = undefined;
      // After a drop the client reconnects within seconds; after a goodbye, much later.
      reconnectGap = (goodbye ? random.between(60, 600) : random.between(2, 20)) * SECOND;
      push(random.between(5, 60) * SECOND, {
        $case: 'deviceDisconnected',
        value: {
          ...ref,
          reason: goodbye
            ? DisconnectReason.DISCONNECT_REASON_GOODBYE
            : DisconnectReason.DISCONNECT_REASON_ABNORMAL,
        },
      });
    } else {
      push(random.between(10, 40) * SECOND, { $case: 'deviceActivity', value: ref });
    }
  }
  return steps;
}

/** One to three devices; the first is where the user usually works. */
function chooseDevices(random: Random): Device[] {
  const first = random.weighted({ desktop: 0.5, web: 0.2, mobile: 0.3 });
  const names: (keyof typeof PLATFORMS)[] = [first];
  if (random.next() < 0.45) names.push(first === 'mobile' ? 'desktop' : 'mobile');
  if (random.next() < 0.1) names.push(names.includes('web') ? 'desktop' : 'web');
  return [...new Set(names)].map((name) => ({
    id: `${name}-${random.hex(8)}`,
    platform: PLATFORMS[name],
    session: undefined,
    dormant: undefined,
  }));
}

function dormantState(random: Random, platform: Platform): SystemState {
  if (platform !== Platform.PLATFORM_DESKTOP) return SystemState.SYSTEM_STATE_BACKGROUND;
  return random.next() < 0.8 ? SystemState.SYSTEM_STATE_LOCKED : SystemState.SYSTEM_STATE_SLEEP;
}

function manualStatus(random: Random, deviceId: string): EventBody {
  const presence = random.weighted({ busy: 0.4, away: 0.25, online: 0.35 });
  const withText = presence === 'busy' && random.next() < 0.5;
  return {
    $case: 'manualStatusSet',
    value: {
      presence: {
        busy: Presence.PRESENCE_BUSY,
        away: Presence.PRESENCE_AWAY,
        online: Presence.PRESENCE_ONLINE,
      }[presence],
      ...(withText ? { text: random.pick(TEXTS) } : {}),
      deviceId,
    },
  };
}

function statusText(random: Random): EventBody {
  const clear = random.next() < 0.3;
  return {
    $case: 'statusTextSet',
    value: clear
      ? { text: '', clearAfterS: 0 }
      : { text: random.pick(TEXTS), clearAfterS: random.pick([0, 0, 1800, 3600, 14_400]) },
  };
}
