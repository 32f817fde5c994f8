import { describe, expect, it } from 'vitest';
import { COLLAB_FRAME_TYPES, MAX_MESSAGE_CHARS, parseCollabFrame } from './collab-frames.js';

describe('parseCollabFrame', () => {
  it('knows every room, message and meeting frame of the contract', () => {
    expect([...COLLAB_FRAME_TYPES].sort()).toEqual(
      [
        'room.open',
        'room.close',
        'room.hide',
        'room.watch',
        'room.unwatch',
        'message.post',
        'meeting.join',
        'meeting.leave',
        'meeting.decline',
        'meeting.late',
        'meeting.update',
        'meeting.watch',
        'meeting.unwatch',
      ].sort(),
    );
  });

  it('reads a room frame', () => {
    expect(parseCollabFrame('room.hide', { room: 'general' })).toEqual({
      kind: 'room',
      name: 'room.hide',
      room: 'general',
    });
  });

  it('reads message.post and refuses empty or oversized content', () => {
    expect(parseCollabFrame('message.post', { room: 'r', content: 'hi @bob' })).toEqual({
      kind: 'message',
      name: 'message.post',
      room: 'r',
      content: 'hi @bob',
    });
    expect(parseCollabFrame('message.post', { room: 'r', content: '  ' })).toEqual({
      invalid: 'field "content" must be a non-empty string',
    });
    expect(parseCollabFrame('message.post', { room: 'r' })).toHaveProperty('invalid');
    expect(
      parseCollabFrame('message.post', { room: 'r', content: 'x'.repeat(MAX_MESSAGE_CHARS + 1) }),
    ).toEqual({ invalid: `field "content" must be at most ${MAX_MESSAGE_CHARS} characters` });
  });

  it('reads meeting.join with or without an audio mode', () => {
    expect(parseCollabFrame('meeting.join', { meeting: 'm1' })).toEqual({
      kind: 'meeting',
      name: 'meeting.join',
      meeting: 'm1',
    });
    expect(parseCollabFrame('meeting.join', { meeting: 'm1', audio: 'fax' })).toEqual({
      invalid: 'field "audio" must be one of voip, phone, room_system, none',
    });
  });

  it('reads meeting.update indicators and needs at least one boolean', () => {
    expect(parseCollabFrame('meeting.update', { meeting: 'm', muted: true, video: false })).toEqual(
      {
        kind: 'meeting',
        name: 'meeting.update',
        meeting: 'm',
        indicators: { muted: true, video: false },
      },
    );
    expect(parseCollabFrame('meeting.update', { meeting: 'm', muted: 'yes' })).toEqual({
      invalid: 'field "muted" must be a boolean',
    });
    expect(parseCollabFrame('meeting.update', { meeting: 'm' })).toHaveProperty('invalid');
  });
});
