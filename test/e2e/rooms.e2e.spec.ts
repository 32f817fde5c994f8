import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import {
  InvitePolicy,
  MemberKind,
  Presence,
  RoomRole,
  RoomServiceClient,
  type GetRosterResponse,
  type RosterMember,
  type RosterUpdate,
} from '@presence/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, isType, type DeviceClient } from '../support/device-client.js';
import { startService, type ServiceProcess } from '../support/services.js';
import { eventually, startPresenceSystem, type PresenceSystem } from '../support/system.js';

/**
 * RoomService through the whole system (RULES.md 6): rooms and members event-sourced on ROOMS by
 * room-membership, Present / Not Present from the presence the aggregator publishes for real
 * device connections on the gateway.
 */
let system: PresenceSystem;
let rooms: ServiceProcess;
let client: RoomServiceClient;
const devices: DeviceClient[] = [];

beforeAll(async () => {
  system = await startPresenceSystem();
  rooms = await startService('room-membership', system.env);
  client = new RoomServiceClient(`127.0.0.1:${rooms.grpcPort}`, credentials.createInsecure());
}, 90_000);

afterAll(async () => {
  for (const device of devices) device.close();
  client?.close();
  await rooms?.stop();
  await system?.stop();
});

/** A RoomService call as a promise (`method` of the generated client). */
function call<Res>(method: string, request: object): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method]!.bind(
      client,
    );
    fn(request, (error: ServiceError | null, response: Res) =>
      error ? reject(error) : resolve(response),
    );
  });
}

const roster = async (roomId: string) =>
  (await call<GetRosterResponse>('getRoster', { roomId })).members;
const memberOf = (members: RosterMember[], userId: string) =>
  members.find((member) => member.userId === userId);

async function online(user: string, platform = 'desktop'): Promise<DeviceClient> {
  const device = await connectDevice(system.gateway.httpUrl, {
    user,
    platform,
    device: `${user}-${platform}`,
  });
  devices.push(device);
  await device.next(isType('hello'));
  return device;
}

describe('RoomService', () => {
  it('creates a room with its creator as admin; members are Present when online with it open', async () => {
    const { roomId } = await call<{ roomId: string }>('createRoom', {
      name: 'Launch',
      creatorId: 'ann',
      memberIds: ['bob'],
    });
    expect(roomId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await roster(roomId)).toEqual([
      {
        userId: 'ann',
        kind: MemberKind.MEMBER_KIND_USER,
        role: RoomRole.ROOM_ROLE_ADMIN,
        present: false,
        presence: Presence.PRESENCE_OFFLINE,
      },
      {
        userId: 'bob',
        kind: MemberKind.MEMBER_KIND_USER,
        role: RoomRole.ROOM_ROLE_MEMBER,
        present: false,
        presence: Presence.PRESENCE_OFFLINE,
      },
    ]);

    const ann = await online('ann');
    await eventually(async () => memberOf(await roster(roomId), 'ann')?.present === true);
    expect(memberOf(await roster(roomId), 'bob')?.present).toBe(false);

    // Invisible: offline as others see her, so Not Present although connected.
    ann.send({ type: 'status.set', id: 's1', presence: 'invisible' });
    await ann.next(isType('ack'));
    await eventually(async () => {
      const member = memberOf(await roster(roomId), 'ann');
      return member?.present === false && member.presence === Presence.PRESENCE_OFFLINE;
    });
  });

  it('lists a user`s rooms with their own state', async () => {
    const { roomId } = await call<{ roomId: string }>('createRoom', {
      name: 'Ops',
      creatorId: 'cy',
      memberIds: [],
    });
    await call('addMembers', { roomId, actorId: 'cy', userIds: ['dee'] });
    await call('setInvitePolicy', {
      roomId,
      actorId: 'cy',
      policy: InvitePolicy.INVITE_POLICY_ALL_MEMBERS,
    });
    // Under all_members, a member invites too.
    await call('addMembers', { roomId, actorId: 'dee', userIds: ['eve'] });
    const { rooms: listed } = await call<{ rooms: unknown[] }>('listRooms', { userId: 'eve' });
    expect(listed).toEqual([
      expect.objectContaining({ roomId, name: 'Ops', role: RoomRole.ROOM_ROLE_MEMBER, open: true }),
    ]);
    expect(await call('listRooms', { userId: 'nobody' })).toEqual({ rooms: [] });
  });

  it('refuses bad input and forbidden changes precisely, and changes nothing', async () => {
    const { roomId } = await call<{ roomId: string }>('createRoom', {
      name: 'Design',
      creatorId: 'fay',
      memberIds: ['gus'],
    });
    const before = await roster(roomId);
    const refusals: Array<[string, object, status, string]> = [
      [
        'createRoom',
        { name: '  ', creatorId: 'fay', memberIds: [] },
        status.INVALID_ARGUMENT,
        'name',
      ],
      [
        'createRoom',
        { name: 'X', creatorId: 'a.b', memberIds: [] },
        status.INVALID_ARGUMENT,
        'creator_id',
      ],
      ['getRoster', { roomId: 'a*b' }, status.INVALID_ARGUMENT, 'room_id'],
      ['getRoster', { roomId: 'no-such-room' }, status.NOT_FOUND, 'room'],
      [
        'addMembers',
        { roomId: 'no-such-room', actorId: 'fay', userIds: ['x'] },
        status.NOT_FOUND,
        'room',
      ],
      [
        'addMembers',
        { roomId, actorId: 'gus', userIds: ['hal'] },
        status.PERMISSION_DENIED,
        'admin',
      ],
      [
        'addMembers',
        { roomId, actorId: 'fay', userIds: ['gus'] },
        status.FAILED_PRECONDITION,
        'gus',
      ],
      ['addMembers', { roomId, actorId: 'fay', userIds: [] }, status.INVALID_ARGUMENT, 'user_ids'],
      [
        'removeMember',
        { roomId, actorId: 'gus', userId: 'fay' },
        status.PERMISSION_DENIED,
        'admin',
      ],
      ['leaveRoom', { roomId, userId: 'fay' }, status.FAILED_PRECONDITION, 'admin'],
      ['leaveRoom', { roomId, userId: 'zed' }, status.FAILED_PRECONDITION, 'member'],
      [
        'setRole',
        { roomId, actorId: 'fay', userId: 'gus', role: 0 },
        status.INVALID_ARGUMENT,
        'role',
      ],
      ['setInvitePolicy', { roomId, actorId: 'gus', policy: 2 }, status.PERMISSION_DENIED, 'admin'],
      ['listRooms', { userId: '' }, status.INVALID_ARGUMENT, 'user_id'],
    ];
    for (const [method, request, code, mentions] of refusals) {
      const error = await call(method, request).then(
        () => undefined,
        (e: ServiceError) => e,
      );
      expect({ method, code: error?.code }).toEqual({ method, code });
      expect(error?.details).toContain(mentions);
    }
    expect(await roster(roomId)).toEqual(before);

    // Leaving twice: the second is refused, the first took effect.
    await call('leaveRoom', { roomId, userId: 'gus' });
    await expect(call('leaveRoom', { roomId, userId: 'gus' })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
    });
    expect((await roster(roomId)).map((member) => member.userId)).toEqual(['fay']);
  });

  it('open / close / hide from one device syncs room.state to all the user`s devices and the roster', async () => {
    const { roomId } = await call<{ roomId: string }>('createRoom', {
      name: 'Q&A',
      creatorId: 'hana',
      memberIds: ['ivan'],
    });
    const desktop = await online('ivan', 'desktop');
    const mobile = await online('ivan', 'mobile');
    const isRoomState = (frame: { type: string; room?: unknown }) =>
      frame.type === 'room.state' && frame.room === roomId;
    const present = async () => memberOf(await roster(roomId), 'ivan')?.present;
    // Invited, so the room opened for him: online with it open is Present.
    await eventually(async () => (await present()) === true);

    mobile.send({ type: 'room.close', id: 'c1', room: roomId });
    expect(await mobile.next(isType('ack'))).toMatchObject({ id: 'c1' });
    expect(await desktop.next(isRoomState)).toEqual({
      type: 'room.state',
      room: roomId,
      open: false,
      hidden: false,
      position: 0,
      notification_level: 'all',
      unread: 0,
    });
    // The sender's own devices too (before or after its ack: two subjects, no order between them).
    await eventually(async () =>
      mobile.frames.some((frame) => isRoomState(frame) && frame['open'] === false),
    );
    await eventually(async () => (await present()) === false);

    mobile.send({ type: 'room.open', id: 'o1', room: roomId });
    expect(await desktop.next(isRoomState)).toMatchObject({ open: true, hidden: false });
    await eventually(async () => (await present()) === true);

    desktop.send({ type: 'room.hide', id: 'h1', room: roomId });
    await mobile.next((frame) => isRoomState(frame) && frame['hidden'] === true);
    await eventually(async () => (await present()) === false);

    // Refusals come back as the frame's error, with the domain's code.
    const errorOf = async (frame: object) => {
      desktop.send(frame);
      return desktop.next(isType('error'));
    };
    expect(await errorOf({ type: 'room.open', id: 'e1', room: 'no-such-room' })).toMatchObject({
      id: 'e1',
      code: 'room_not_found',
    });
    const other = await call<{ roomId: string }>('createRoom', {
      name: 'Private',
      creatorId: 'hana',
      memberIds: [],
    });
    expect(await errorOf({ type: 'room.open', id: 'e2', room: other.roomId })).toMatchObject({
      id: 'e2',
      code: 'not_member',
    });
  });

  it('WatchRoster: the roster first, then only the changes that show (present, presence, joins, leaves)', async () => {
    const { roomId } = await call<{ roomId: string }>('createRoom', {
      name: 'Chime Q&A',
      creatorId: 'kim',
      memberIds: ['jo'],
    });
    const updates: RosterUpdate[] = [];
    const stream = client.watchRoster({ roomId });
    stream.on('data', (update: RosterUpdate) => updates.push(update));
    stream.on('error', () => undefined);
    let seen = 0;
    const next = async () => {
      await eventually(async () => updates.length > seen, 10_000, 'a roster update');
      return updates[seen++]!.update;
    };
    const first = await next();
    expect(first?.$case).toBe('roster');
    expect(first?.$case === 'roster' && first.value.members.map((m) => m.userId)).toEqual([
      'jo',
      'kim',
    ]);

    const jo = await online('jo');
    expect(await next()).toEqual({
      $case: 'memberChanged',
      value: expect.objectContaining({
        userId: 'jo',
        present: true,
        presence: Presence.PRESENCE_ONLINE,
      }),
    });
    // A status text alone shows nothing in a roster: the next update is the busy one.
    jo.send({ type: 'status.text', id: 't1', text: 'in a call' });
    await jo.next(isType('ack'));
    jo.send({ type: 'status.set', id: 't2', presence: 'busy' });
    expect(await next()).toEqual({
      $case: 'memberChanged',
      value: expect.objectContaining({
        userId: 'jo',
        present: true,
        presence: Presence.PRESENCE_BUSY,
      }),
    });
    jo.send({ type: 'room.close', id: 't3', room: roomId });
    expect(await next()).toEqual({
      $case: 'memberChanged',
      value: expect.objectContaining({
        userId: 'jo',
        present: false,
        presence: Presence.PRESENCE_BUSY,
      }),
    });

    await call('addMembers', { roomId, actorId: 'kim', userIds: ['lee'] });
    expect(await next()).toEqual({
      $case: 'memberChanged',
      value: expect.objectContaining({ userId: 'lee', present: false }),
    });
    await call('leaveRoom', { roomId, userId: 'jo' });
    expect(await next()).toEqual({ $case: 'memberRemoved', value: 'jo' });
    stream.cancel();

    const missing = client.watchRoster({ roomId: 'no-such-room' });
    const error = await new Promise<ServiceError>((resolve) => missing.on('error', resolve));
    expect(error.code).toBe(status.NOT_FOUND);
  });

  it('room.watch over the WebSocket: room.roster, then room.member.changed until room.unwatch', async () => {
    const { roomId } = await call<{ roomId: string }>('createRoom', {
      name: 'Standup',
      creatorId: 'pat',
      memberIds: ['quin'],
    });
    const pat = await online('pat');
    const isRoom = (type: string) => (frame: { type: string; room?: unknown }) =>
      frame.type === type && frame.room === roomId;
    pat.send({ type: 'room.watch', id: 'w1', room: roomId });
    expect(await pat.next(isRoom('room.roster'))).toEqual({
      type: 'room.roster',
      room: roomId,
      members: [
        { user: 'pat', kind: 'user', role: 'admin', present: true, presence: 'online' },
        { user: 'quin', kind: 'user', role: 'member', present: false, presence: 'offline' },
      ],
    });
    await eventually(async () => pat.frames.some((f) => f.type === 'ack' && f['id'] === 'w1'));

    const quin = await online('quin');
    expect(await pat.next(isRoom('room.member.changed'))).toEqual({
      type: 'room.member.changed',
      room: roomId,
      user: 'quin',
      kind: 'user',
      role: 'member',
      present: true,
      presence: 'online',
    });
    quin.send({ type: 'status.set', id: 'q1', presence: 'invisible' });
    expect(await pat.next(isRoom('room.member.changed'))).toMatchObject({
      user: 'quin',
      present: false,
      presence: 'offline',
    });

    pat.send({ type: 'room.unwatch', id: 'w2', room: roomId });
    await pat.next((f) => f.type === 'ack' && f['id'] === 'w2');
    quin.send({ type: 'status.set', id: 'q2', presence: 'online' });
    await quin.next((f) => f.type === 'ack' && f['id'] === 'q2');
    // Watching again starts with a fresh roster; nothing came in between.
    pat.send({ type: 'room.watch', id: 'w3', room: roomId });
    const next = await pat.next((f) => f['room'] === roomId);
    expect(next.type).toBe('room.roster');

    const outsider = await online('ray');
    outsider.send({ type: 'room.watch', id: 'w4', room: roomId });
    expect(await outsider.next(isType('error'))).toMatchObject({ id: 'w4', code: 'not_member' });

    // A session that goes away takes its roster watches with it (its gateway unwatches).
    const watching = async () => {
      const text = await (await fetch(`${rooms.httpUrl}/metrics`)).text();
      return Number(/^presence_rooms_watching_sessions\S* (\d+)/m.exec(text)?.[1]);
    };
    expect(await watching()).toBe(1);
    pat.close();
    await eventually(async () => (await watching()) === 0);
  });

  it('the Chime Q&A (seeds): Present is the room open while online, unrelated to availability', async () => {
    const { roomId } = await call<{ roomId: string }>('createRoom', {
      name: 'Presence vs Present',
      creatorId: 'beth',
      memberIds: ['sam'],
    });
    const state = async (user: string) => {
      const member = memberOf(await roster(roomId), user);
      return { present: member?.present, presence: member?.presence };
    };
    const desktop = await online('sam', 'desktop');
    await eventually(async () => (await state('sam')).present === true);

    // "they are not directly related": busy (or away) and the room open is Present.
    desktop.send({ type: 'status.set', id: 'b1', presence: 'busy' });
    await eventually(async () => {
      const sam = await state('sam');
      return sam.present === true && sam.presence === Presence.PRESENCE_BUSY;
    });
    // "Users typically close a Chat Room ... but not Leave": closed is Not Present, still a member.
    desktop.send({ type: 'room.close', id: 'c1', room: roomId });
    await eventually(async () => (await state('sam')).present === false);
    expect((await roster(roomId)).map((member) => member.userId)).toContain('sam');

    // "Once opened, you will be listed as Present and when you return to your desktop device, the
    // chat room will be opened there too".
    const phone = await online('sam', 'mobile');
    phone.send({ type: 'room.open', id: 'o1', room: roomId });
    await desktop.next(
      (f) => f.type === 'room.state' && f['room'] === roomId && f['open'] === true,
    );
    await eventually(async () => (await state('sam')).present === true);

    // "Not Present (the chat room is either not opened or the user is offline)".
    desktop.send({ type: 'goodbye', id: 'g1' });
    phone.send({ type: 'goodbye', id: 'g2' });
    await eventually(async () => {
      const sam = await state('sam');
      return sam.present === false && sam.presence === Presence.PRESENCE_OFFLINE;
    });
  });

  it('an invited member`s connected devices get the room opened at once (room.state)', async () => {
    const { roomId } = await call<{ roomId: string }>('createRoom', {
      name: 'Welcome',
      creatorId: 'uma',
      memberIds: [],
    });
    const desktop = await online('tia', 'desktop');
    await call('addMembers', { roomId, actorId: 'uma', userIds: ['tia'] });
    expect(
      await desktop.next((f) => f.type === 'room.state' && f['room'] === roomId),
    ).toMatchObject({ open: true, hidden: false, unread: 0 });
    await eventually(async () => memberOf(await roster(roomId), 'tia')?.present === true);
  });
});
