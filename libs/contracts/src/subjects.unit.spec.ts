import { describe, expect, it } from 'vitest';
import { STREAMS } from './streams.js';
import { ALL_USERS_TOKEN, devicePartitionOf, lastToken, subjects } from './subjects.js';

describe('subjects', () => {
  it('builds the subjects of CONTRACT.md', () => {
    expect(subjects.device(3, 'alice')).toBe('device.v1.3.alice');
    expect(subjects.presenceChanged('alice')).toBe('presence.v1.changed.alice');
    expect(subjects.room('r1')).toBe('room.v1.r1');
    expect(subjects.meeting('m1')).toBe('meeting.v1.m1');
    expect(subjects.chat('r1')).toBe('chat.v1.r1');
    expect(subjects.notify('alice')).toBe('notify.v1.alice');
  });

  it.each(['a.b', 'a*', '>', '', 'al ice'])('refuses to build a subject from the id %j', (id) => {
    expect(() => subjects.presenceChanged(id)).toThrowError(/user_id must match/);
  });

  it('reserves a token for facts about many users that no user id can take', () => {
    expect(() => subjects.device(0, ALL_USERS_TOKEN)).toThrowError();
    expect(subjects.deviceAllUsers(2)).toBe('device.v1.2.~all');
  });

  it('reads the user back from a subject', () => {
    expect(lastToken(subjects.presenceChanged('bob-2'))).toBe('bob-2');
    expect(devicePartitionOf(subjects.device(12, 'bob'))).toBe(12);
    expect(devicePartitionOf(subjects.presenceChanged('bob'))).toBeNaN();
    expect(devicePartitionOf(subjects.deviceAllUsers(3))).toBe(3);
    for (const subject of ['device.v1.', 'device.v1.x.bob', 'device.v1.12', 'device.v1..bob'])
      expect(devicePartitionOf(subject), subject).toBeNaN();
  });

  it('every subject builder lands in its stream', () => {
    const covers = (stream: keyof typeof STREAMS, subject: string) =>
      STREAMS[stream].subjects.some((s) => subject.startsWith(s.replace('>', '')));
    expect(covers('DEVICE_EVENTS', subjects.device(0, 'a'))).toBe(true);
    expect(covers('PRESENCE', subjects.presenceChanged('a'))).toBe(true);
    expect(covers('ROOMS', subjects.room('a'))).toBe(true);
    expect(covers('MEETINGS', subjects.meeting('a'))).toBe(true);
    expect(covers('CHAT', subjects.chat('a'))).toBe(true);
    expect(covers('NOTIFICATIONS', subjects.notify('a'))).toBe(true);
    expect(covers('WEBHOOKS', subjects.webhook('a'))).toBe(true);
  });

  it('pushes to devices are core NATS only: no stream stores them', () => {
    const pushes = [subjects.userPush('alice'), subjects.sessionPush('gateway-vm-1a2b3c', 's-1')];
    expect(pushes).toEqual(['push.v1.user.alice', 'push.v1.session.gateway-vm-1a2b3c.s-1']);
    // A gateway's subscription covers its sessions' pushes and no other gateway's.
    expect(subjects.sessionPushOf('gateway-vm-1a2b3c')).toBe('push.v1.session.gateway-vm-1a2b3c.*');
    const stored = Object.values(STREAMS).flatMap((stream) => stream.subjects);
    for (const subject of stored) expect(subject.startsWith('push.')).toBe(false);
    expect(() => subjects.sessionPush('host.example.com', 's-1')).toThrowError(/gateway_id/);
  });
});
