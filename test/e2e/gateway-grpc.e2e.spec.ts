import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import {
  Display,
  Presence,
  PresenceServiceClient,
  type GetPresenceAtRequest,
  type GetPresenceAtResponse,
  type GetPresenceRequest,
  type GetPresenceResponse,
  type PresenceChanged,
  type PresenceView,
  type SetCalendarBusyRequest,
  type SetCalendarBusyResponse,
  type SetStatusRequest,
  type SetStatusResponse,
} from '@presence/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../support/services.js';
import { eventually } from '../support/system.js';
import {
  DEFAULT_SETTINGS,
  startGatewaySystem,
  type GatewaySystem,
} from '../support/gateway-system.js';

/** `presence.v1.PresenceService` on the gateway, against a real nats-server and gateway process. */
let system: GatewaySystem;
let client: PresenceServiceClient;

beforeAll(async () => {
  system = await startGatewaySystem({ GATEWAY_MAX_USERS_PER_CALL: '5' });
  client = new PresenceServiceClient(
    `127.0.0.1:${system.gateway.grpcPort}`,
    credentials.createInsecure(),
  );
}, 60_000);

afterAll(async () => {
  client?.close();
  await system?.stop();
});

type Unary<Req, Res> = (
  request: Req,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;
const call = <Req, Res>(method: Unary<Req, Res>, request: Req): Promise<Res> =>
  new Promise((resolve, reject) =>
    method.call(client, request, (error, response) => (error ? reject(error) : resolve(response))),
  );

// The generated methods are overloaded, so the request and response types are spelled out.
const getPresence = (userIds: string[]) =>
  call<GetPresenceRequest, GetPresenceResponse>(client.getPresence, { userIds });
const setStatus = (request: SetStatusRequest) =>
  call<SetStatusRequest, SetStatusResponse>(client.setStatus, request);
const setCalendarBusy = (request: { userId: string; start?: Date; end?: Date; title: string }) =>
  call<SetCalendarBusyRequest, SetCalendarBusyResponse>(client.setCalendarBusy, {
    userId: request.userId,
    start: request.start?.toISOString(),
    end: request.end?.toISOString(),
    title: request.title,
  });

const view = (userId: string, version: number, presence = Presence.PRESENCE_ONLINE) => ({
  userId,
  version: String(version),
  presence,
  display: Display.DISPLAY_AVAILABLE,
  online: presence !== Presence.PRESENCE_OFFLINE,
});

const errorOf = async (promise: Promise<unknown>) => {
  const error = (await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  )) as ServiceError;
  return {
    code: error.code,
    details: error.details,
    errorCode: error.metadata.get('error-code')[0],
  };
};

describe('GetPresence', () => {
  it('returns the current public views in request order; unknown users are OFFLINE at version 0', async () => {
    await system.publishView(view('uma', 3));
    await system.publishView(view('uma', 4, Presence.PRESENCE_AWAY));
    // The own view is never public.
    await system.publishView(view('uma', 5, Presence.PRESENCE_INVISIBLE), true);
    const { presences } = await getPresence(['nobody', 'uma', 'nobody']);
    expect(presences).toEqual<PresenceView[]>([
      {
        userId: 'nobody',
        presence: Presence.PRESENCE_OFFLINE,
        display: Display.DISPLAY_OFFLINE,
        online: false,
        devices: [],
        version: '0',
      },
      expect.objectContaining({ userId: 'uma', presence: Presence.PRESENCE_AWAY, version: '4' }),
    ]);
    expect(await getPresence([])).toEqual({ presences: [] });
  });

  it('refuses more user ids than the per-call limit and invalid ids with INVALID_ARGUMENT', async () => {
    expect(await errorOf(getPresence(['a', 'b', 'c', 'd', 'e', 'f']))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^user_ids: 6 ids; at most 5 per call/),
      errorCode: 'too_many_user_ids',
    });
    expect(await errorOf(getPresence(['ok', 'not.ok']))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^user_ids\[1\]/),
    });
  });
});

describe('WatchPresence', () => {
  it('sends the current views first, then every change in version order, until cancelled', async () => {
    await system.publishView(view('vic', 7));
    const stream = client.watchPresence({ userIds: ['vic', 'wes'] });
    const received: PresenceChanged[] = [];
    const waiters: Array<() => void> = [];
    stream.on('data', (message: PresenceChanged) => {
      received.push(message);
      waiters.splice(0).forEach((wake) => wake());
    });
    const errored = new Promise<ServiceError>((resolve) => stream.on('error', resolve));
    const until = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`got ${JSON.stringify(received)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    };

    await until(2);
    const snapshot = (user: string) => received.slice(0, 2).find((m) => m.view?.userId === user);
    expect(snapshot('vic')?.view).toMatchObject({ version: '7' });
    expect(snapshot('vic')?.changedAt).toEqual(expect.any(String));
    expect(snapshot('wes')?.view).toMatchObject({
      version: '0',
      presence: Presence.PRESENCE_OFFLINE,
    });

    await system.publishView(view('vic', 6)); // older than what the stream sent: dropped
    await system.publishView(view('xena', 1)); // not watched
    await system.publishView(view('wes', 2, Presence.PRESENCE_BUSY));
    await system.publishView(view('vic', 8, Presence.PRESENCE_AWAY));
    await system.publishView(view('vic', 9, Presence.PRESENCE_INVISIBLE), true); // own: never public
    await system.publishView(view('vic', 10, Presence.PRESENCE_OFFLINE));
    await until(5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.slice(2).map((m) => [m.view?.userId, m.view?.version])).toEqual([
      ['wes', '2'],
      ['vic', '8'],
      ['vic', '10'],
    ]);

    stream.cancel();
    expect((await errored).code).toBe(status.CANCELLED);
  });

  it('ends open watches with UNAVAILABLE as soon as the gateway shuts down', async () => {
    const gateway = await startService('gateway', system.env);
    const other = new PresenceServiceClient(
      `127.0.0.1:${gateway.grpcPort}`,
      credentials.createInsecure(),
    );
    try {
      const stream = other.watchPresence({ userIds: ['vic'] });
      const errored = new Promise<ServiceError>((resolve) => stream.on('error', resolve));
      await new Promise((resolve) => stream.once('data', resolve));
      const started = Date.now();
      expect(await gateway.stop()).toBe(0);
      expect(await errored).toMatchObject({ code: status.UNAVAILABLE });
      // Well inside the gRPC server's 5 s grace: the stream did not hold the shutdown.
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      other.close();
      await gateway.stop();
    }
  });

  it('refuses an empty or oversized watch with INVALID_ARGUMENT', async () => {
    for (const userIds of [[], ['a', 'b', 'c', 'd', 'e', 'f']]) {
      const stream = client.watchPresence({ userIds });
      const error = await new Promise<ServiceError>((resolve) => stream.on('error', resolve));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/^user_ids: /);
    }
  });
});

describe('SetStatus', () => {
  it('appends manualStatusSet without a device; absent text clears', async () => {
    await setStatus({ userId: 'yara', presence: Presence.PRESENCE_BUSY, text: ' Focus ' });
    await setStatus({ userId: 'yara', presence: Presence.PRESENCE_ONLINE });
    const events = (await system.deviceEvents('yara')).map((e) => e.event);
    expect(events.map((e) => e.userId)).toEqual(['yara', 'yara']);
    expect(events.map((e) => e.event)).toEqual([
      {
        $case: 'manualStatusSet',
        value: { presence: Presence.PRESENCE_BUSY, text: 'Focus', deviceId: '' },
      },
      { $case: 'manualStatusSet', value: { presence: Presence.PRESENCE_ONLINE, deviceId: '' } },
    ]);
  });

  it('answers bad input with INVALID_ARGUMENT and workspace refusals with FAILED_PRECONDITION', async () => {
    await system.publishWorkspace({
      settings: { ...DEFAULT_SETTINGS, allowInvisible: false, allowCustomStatusText: false },
      version: '1',
    });
    // Wait until the gateway applied it.
    await eventually(
      () =>
        setStatus({ userId: 'zed', presence: Presence.PRESENCE_INVISIBLE }).then(
          () => false,
          () => true,
        ),
      10_000,
      'the gateway to apply the workspace state',
    );
    const before = (await system.deviceEvents('zed')).length;
    const cases: Array<[Parameters<typeof setStatus>[0], number, string, RegExp]> = [
      [
        { userId: 'zed', presence: Presence.PRESENCE_INVISIBLE },
        status.FAILED_PRECONDITION,
        'invisible_not_allowed',
        /^presence: /,
      ],
      [
        { userId: 'zed', presence: Presence.PRESENCE_BUSY, text: 'hi' },
        status.FAILED_PRECONDITION,
        'status_text_not_allowed',
        /^text: /,
      ],
      [
        { userId: 'zed', presence: Presence.PRESENCE_BUSY, text: 'x'.repeat(121) },
        status.INVALID_ARGUMENT,
        'status_text_too_long',
        /^text: 121 characters/,
      ],
      [
        { userId: 'zed', presence: Presence.PRESENCE_OFFLINE },
        status.INVALID_ARGUMENT,
        'invalid_presence',
        /^presence: /,
      ],
      [
        { userId: 'zed', presence: Presence.PRESENCE_UNSPECIFIED },
        status.INVALID_ARGUMENT,
        'invalid_presence',
        /^presence: /,
      ],
      [
        { userId: 'z.d', presence: Presence.PRESENCE_BUSY },
        status.INVALID_ARGUMENT,
        'invalid_user_id',
        /^user_id must match/,
      ],
    ];
    for (const [request, code, errorCode, details] of cases) {
      expect(await errorOf(setStatus(request))).toMatchObject({
        code,
        errorCode,
        details: expect.stringMatching(details),
      });
    }
    expect((await system.deviceEvents('zed')).length).toBe(before);
  });
});

describe('SetCalendarBusy', () => {
  const hour = 3_600_000;

  it('appends calendarBusySet with a fresh calendar event id', async () => {
    const start = new Date(Date.now() + hour);
    const end = new Date(Date.now() + 2 * hour);
    const first = await setCalendarBusy({ userId: 'abe', start, end, title: 'Quarterly planning' });
    await setCalendarBusy({ userId: 'abe', start, end, title: '' });
    const events = (await system.deviceEvents('abe')).map((e) => e.event.event);
    expect(events).toEqual([
      {
        $case: 'calendarBusySet',
        value: {
          calendarEventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          start: start.toISOString(),
          end: end.toISOString(),
          title: 'Quarterly planning',
        },
      },
      expect.objectContaining({ $case: 'calendarBusySet' }),
    ]);
    const ids = events.map((e) => (e?.$case === 'calendarBusySet' ? e.value.calendarEventId : ''));
    expect(ids[0]).not.toBe(ids[1]);
    expect(first.calendarEventId).toBe(ids[0]);
  });

  it.each([
    [
      'end before start',
      { start: new Date(Date.now() + 2 * hour), end: new Date(Date.now() + hour) },
      /^end: /,
    ],
    [
      'an event that is over',
      { start: new Date(Date.now() - 2 * hour), end: new Date(Date.now() - hour) },
      /^end: .* is in the past/,
    ],
    ['no start', { end: new Date(Date.now() + hour) }, /^start: /],
    [
      'a title over 200 characters',
      {
        start: new Date(Date.now() + hour),
        end: new Date(Date.now() + 2 * hour),
        title: 'x'.repeat(201),
      },
      /^title: 201 characters/,
    ],
    [
      'an invalid user id',
      { userId: '', start: new Date(Date.now() + hour), end: new Date(Date.now() + 2 * hour) },
      /^user_id must match/,
    ],
  ])('refuses %s with INVALID_ARGUMENT', async (_name, request, details) => {
    const before = (await system.deviceEvents('bea')).length;
    expect(
      await errorOf(setCalendarBusy({ userId: 'bea', title: 'Sync', ...request })),
    ).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(details) });
    expect((await system.deviceEvents('bea')).length).toBe(before);
  });
});

describe('GetPresenceAt', () => {
  it('is UNAVAILABLE while no presence-aggregator answers (history lives there)', async () => {
    expect(
      await errorOf(
        call<GetPresenceAtRequest, GetPresenceAtResponse>(client.getPresenceAt, {
          userId: 'abe',
          at: new Date().toISOString(),
        }),
      ),
    ).toMatchObject({ code: status.UNAVAILABLE });
  });

  it('refuses a bad user id before asking anyone', async () => {
    expect(
      await errorOf(
        call<GetPresenceAtRequest, GetPresenceAtResponse>(client.getPresenceAt, {
          userId: 'not valid!',
          at: new Date().toISOString(),
        }),
      ),
    ).toMatchObject({ code: status.INVALID_ARGUMENT });
  });
});

describe('deadlines', () => {
  const watchedUsers = async () => {
    const text = await fetch(`${system.gateway.httpUrl}/metrics`).then((r) => r.text());
    return Number(/^presence_gateway_watched_users(?:\{[^}]*\})? (\d+)$/m.exec(text)?.[1]);
  };

  it('ends a watch at its deadline with DEADLINE_EXCEEDED and lets go of its users', async () => {
    const before = await watchedUsers();
    const stream = client.watchPresence(
      { userIds: ['dl1', 'dl2', 'dl3'] },
      { deadline: Date.now() + 1_000 },
    );
    stream.on('data', () => undefined);
    await eventually(async () => (await watchedUsers()) === before + 3);
    const error = await new Promise<ServiceError>((resolve) => stream.on('error', resolve));
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    await eventually(async () => (await watchedUsers()) === before);
    expect((await getPresence(['dl1'])).presences).toHaveLength(1);
  });
});
