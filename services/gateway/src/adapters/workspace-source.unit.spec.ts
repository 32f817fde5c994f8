import { Presence, WorkspaceState } from '@presence/contracts';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE, helloSettings, isNewerWorkspace } from '../domain/workspace.js';
import { toWorkspace } from './workspace-source.js';

const settings = {
  idleTimeoutS: 120,
  allowInvisible: false,
  allowCustomStatusText: false,
  presenceEnabled: false,
  maxConnections: 200,
  meetingSetsBusy: true,
  reconnectGraceS: 10,
  autoReenableBelow: 150,
};

describe('toWorkspace', () => {
  it('takes settings, custom statuses (offline = invisible), minimum and version from the message', () => {
    const message = WorkspaceState.decode(
      WorkspaceState.encode({
        settings,
        customStatuses: [
          { id: 'cs-1', name: 'Lunch', presence: Presence.PRESENCE_AWAY },
          { id: 'cs-2', name: 'Heads down', presence: Presence.PRESENCE_OFFLINE },
          { id: 'cs-3', name: 'Broken', presence: Presence.PRESENCE_UNSPECIFIED },
        ],
        minIdleTimeoutS: 90,
        version: '42',
      }).finish(),
    );
    const workspace = toWorkspace(message);
    expect(workspace).toMatchObject({ ...settings, minIdleTimeoutS: 90, version: 42n });
    expect([...workspace.customStatuses.values()]).toEqual([
      { id: 'cs-1', name: 'Lunch', presence: 'away' },
      { id: 'cs-2', name: 'Heads down', presence: 'invisible' },
    ]);
    expect(helloSettings(workspace)).toEqual({
      idle_timeout_s: 120,
      allow_invisible: false,
      allow_custom_status_text: false,
      presence_enabled: false,
    });
  });

  it('falls back to the defaults of RULES.md for missing settings and minimum', () => {
    const workspace = toWorkspace({
      settings: undefined,
      customStatuses: [],
      minIdleTimeoutS: 0,
      version: '0',
    });
    expect(workspace).toEqual({ ...DEFAULT_WORKSPACE, customStatuses: new Map(), version: 0n });
    expect(helloSettings(DEFAULT_WORKSPACE)).toEqual({
      idle_timeout_s: 300,
      allow_invisible: true,
      allow_custom_status_text: true,
      presence_enabled: true,
    });
  });

  it('any published state, even version 0, replaces the built-in defaults; older ones do not', () => {
    const zero = { ...DEFAULT_WORKSPACE, version: 0n };
    expect(isNewerWorkspace(zero, DEFAULT_WORKSPACE)).toBe(true);
    expect(isNewerWorkspace(zero, { ...zero, version: 1n })).toBe(false);
    expect(isNewerWorkspace({ ...zero, version: 1n }, { ...zero, version: 1n })).toBe(false);
  });
});
