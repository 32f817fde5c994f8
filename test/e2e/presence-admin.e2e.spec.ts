import { Presence } from '@presence/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presenceAdmin, type PresenceAdmin } from '../support/admin.js';
import { startPresenceSystem, type PresenceSystem } from '../support/system.js';

/** PresenceAdminService: settings and custom statuses, and precise refusals of bad requests. */
let system: PresenceSystem;
let admin: PresenceAdmin;

beforeAll(async () => {
  system = await startPresenceSystem();
  admin = presenceAdmin(system.aggregator.grpcPort);
}, 60_000);

afterAll(async () => {
  admin?.close();
  await system?.stop();
});

const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;

describe('PresenceAdminService', () => {
  it('starts from the defaults of the rules', async () => {
    expect(await admin.getSettings()).toEqual({
      idleTimeoutS: 300,
      allowInvisible: true,
      allowCustomStatusText: true,
      presenceEnabled: true,
      maxConnections: 0,
      meetingSetsBusy: false,
      reconnectGraceS: 30,
      autoReenableBelow: 0,
    });
  });

  it('changes only the fields that are set, and keeps them', async () => {
    const updated = await admin.updateSettings({ idleTimeoutS: 120, allowInvisible: false });
    expect(updated).toMatchObject({
      idleTimeoutS: 120,
      allowInvisible: false,
      reconnectGraceS: 30,
    });
    expect(await admin.getSettings()).toMatchObject({ idleTimeoutS: 120, allowInvisible: false });
    await admin.updateSettings({ idleTimeoutS: 300, allowInvisible: true });
  });

  it('refuses an idle timeout below 60 s, naming the field, and changes nothing', async () => {
    await expect(admin.updateSettings({ idleTimeoutS: 59 })).rejects.toMatchObject({
      code: INVALID_ARGUMENT,
      details: expect.stringContaining('idle_timeout_s'),
    });
    expect((await admin.getSettings()).idleTimeoutS).toBe(300);
  });

  it('refuses an auto re-enable mark at or above the cap', async () => {
    await expect(
      admin.updateSettings({ maxConnections: 100, autoReenableBelow: 100 }),
    ).rejects.toMatchObject({
      code: INVALID_ARGUMENT,
      details: expect.stringContaining('auto_reenable_below'),
    });
  });

  it('creates, lists, renames and deletes custom statuses', async () => {
    const id = await admin.createCustomStatus({
      name: ' Focus ',
      presence: Presence.PRESENCE_BUSY,
    });
    expect(await admin.listCustomStatuses()).toContainEqual({
      id,
      name: 'Focus',
      presence: Presence.PRESENCE_BUSY,
    });
    await admin.updateCustomStatus({ id, name: 'Deep focus' });
    expect(await admin.listCustomStatuses()).toContainEqual({
      id,
      name: 'Deep focus',
      presence: Presence.PRESENCE_BUSY,
    });
    await admin.deleteCustomStatus(id);
    expect((await admin.listCustomStatuses()).map((s) => s.id)).not.toContain(id);
  });

  it('refuses duplicate names ignoring case, unknown ids and presences that cannot be chosen', async () => {
    await admin.createCustomStatus({ name: 'Lunch', presence: Presence.PRESENCE_AWAY });
    await expect(
      admin.createCustomStatus({ name: 'LUNCH', presence: Presence.PRESENCE_BUSY }),
    ).rejects.toMatchObject({
      code: FAILED_PRECONDITION,
      details: expect.stringContaining('Lunch'),
    });
    await expect(admin.updateCustomStatus({ id: 'nope', name: 'x' })).rejects.toMatchObject({
      code: NOT_FOUND,
    });
    await expect(admin.deleteCustomStatus('nope')).rejects.toMatchObject({ code: NOT_FOUND });
    await expect(
      admin.createCustomStatus({ name: 'Odd', presence: Presence.PRESENCE_UNSPECIFIED }),
    ).rejects.toMatchObject({
      code: INVALID_ARGUMENT,
      details: expect.stringContaining('presence'),
    });
    await expect(
      admin.createCustomStatus({ name: 'x'.repeat(121), presence: Presence.PRESENCE_AWAY }),
    ).rejects.toMatchObject({ code: INVALID_ARGUMENT, details: expect.stringContaining('name') });
    await expect(admin.deleteCustomStatus('bad id!')).rejects.toMatchObject({
      code: INVALID_ARGUMENT,
    });
  });

  it('keeps serving after bad requests, and concurrent changes all land', async () => {
    const ids = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        admin.createCustomStatus({ name: `Parallel ${i}`, presence: Presence.PRESENCE_AWAY }),
      ),
    );
    const names = (await admin.listCustomStatuses()).filter((s) => ids.includes(s.id));
    expect(names).toHaveLength(5);
  });
});
