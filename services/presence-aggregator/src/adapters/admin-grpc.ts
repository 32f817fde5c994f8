import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import {
  Presence,
  PresenceAdminServiceService,
  PresenceSwitch,
  type PresenceAdminServiceServer,
  type UpdateSettingsRequest,
} from '@presence/contracts';
import { ValidationError, requireId } from '@presence/domain';
import {
  grpcStatusError,
  unaryHandler,
  type GrpcServiceRegistration,
  type Logger,
} from '@presence/kit';
import {
  decideCreateCustomStatus,
  decideSettings,
  decideUpdateCustomStatus,
  requireCustomStatus,
  type CustomStatusPresence,
  type SettingsLimits,
  type SettingsPatch,
} from '../domain/workspace.js';
import { USER_PRESENCE } from '../read-models/tables.js';
import { customStatusPresenceOf, customStatusToPb, settingsToPb } from './codec.js';
import type { RebuildResult } from './rebuild.js';
import type { WorkspaceFollower } from './workspace-follower.js';

export interface AdminDeps {
  readonly workspace: WorkspaceFollower;
  readonly limits: SettingsLimits;
  /** Connections across all live gateways (RULES.md 4). */
  readonly connections: () => number;
  readonly rebuild: () => Promise<RebuildResult>;
  readonly logger: Logger;
}

/**
 * PresenceAdminService: workspace settings and custom statuses (appended to the workspace history
 * and copied into every partition, so their effect on presence is part of the log) and the
 * blue/green rebuild of the projections.
 */
export function presenceAdminService(deps: AdminDeps): GrpcServiceRegistration {
  const { workspace, logger } = deps;
  let rebuilding = false;

  const implementation: PresenceAdminServiceServer = {
    getSettings: unaryHandler(logger, async () => ({
      settings: settingsToPb(workspace.workspace.settings),
    })),
    updateSettings: unaryHandler(logger, async (request: UpdateSettingsRequest) => {
      const patch = patchOf(request);
      const next = await workspace.append((current, revision) => {
        const settings = decideSettings(current, patch, {
          limits: deps.limits,
          connections: deps.connections(),
        });
        const switched = settings.presenceEnabled !== current.settings.presenceEnabled;
        return {
          $case: 'workspaceSettingsChanged',
          value: {
            settings: settingsToPb(settings),
            switchedBy: switched
              ? PresenceSwitch.PRESENCE_SWITCH_ADMIN
              : PresenceSwitch.PRESENCE_SWITCH_UNSPECIFIED,
            revision: String(revision),
          },
        };
      });
      return { settings: settingsToPb(next.settings) };
    }),
    createCustomStatus: unaryHandler(logger, async (request) => {
      const id = randomUUID();
      const presence = requirePresence(request.presence);
      await workspace.append((current, revision) => ({
        $case: 'customStatusDefined',
        value: {
          customStatus: customStatusToPb(
            decideCreateCustomStatus(current, { id, name: request.name, presence }),
          ),
          revision: String(revision),
        },
      }));
      return { id };
    }),
    updateCustomStatus: unaryHandler(logger, async (request) => {
      const id = requireId('id', request.id);
      const presence =
        request.presence === undefined ? undefined : requirePresence(request.presence);
      await workspace.append((current, revision) => ({
        $case: 'customStatusDefined',
        value: {
          customStatus: customStatusToPb(
            decideUpdateCustomStatus(current, { id, name: request.name, presence }),
          ),
          revision: String(revision),
        },
      }));
      return {};
    }),
    deleteCustomStatus: unaryHandler(logger, async (request) => {
      const id = requireId('id', request.id);
      await workspace.append((current, revision) => {
        requireCustomStatus(current, id);
        return {
          $case: 'customStatusDeleted',
          value: { customStatusId: id, revision: String(revision) },
        };
      });
      return {};
    }),
    listCustomStatuses: unaryHandler(logger, async () => ({
      customStatuses: Object.values(workspace.workspace.customStatuses)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(customStatusToPb),
    })),
    rebuildProjection: unaryHandler(logger, async (request) => {
      const { projection } = request;
      if (projection !== '' && projection !== USER_PRESENCE) {
        throw new ValidationError(
          'unknown_projection',
          `projection: unknown projection ${JSON.stringify(projection)}; known: ${USER_PRESENCE} (with presence_history)`,
          'projection',
        );
      }
      if (rebuilding)
        throw grpcStatusError(status.FAILED_PRECONDITION, 'a rebuild is already running');
      rebuilding = true;
      try {
        const result = await deps.rebuild();
        return {
          eventsReplayed: String(result.eventsReplayed),
          position: String(result.position),
          rows: String(result.rows),
        };
      } finally {
        rebuilding = false;
      }
    }),
  };
  return {
    name: 'presence.v1.PresenceAdminService',
    definition: PresenceAdminServiceService,
    implementation,
  };
}

function requirePresence(presence: Presence): CustomStatusPresence {
  const mapped = customStatusPresenceOf(presence);
  if (!mapped) {
    throw new ValidationError(
      'invalid_presence',
      `presence: must be ONLINE, AWAY, BUSY or OFFLINE (= invisible), got ${Presence[presence] ?? presence}`,
      'presence',
    );
  }
  return mapped;
}

/** Only the fields the request sets (proto3 `optional`). */
function patchOf(request: UpdateSettingsRequest): SettingsPatch {
  const patch: { -readonly [K in keyof SettingsPatch]: SettingsPatch[K] } = {};
  if (request.idleTimeoutS !== undefined) patch.idleTimeoutS = request.idleTimeoutS;
  if (request.allowInvisible !== undefined) patch.allowInvisible = request.allowInvisible;
  if (request.allowCustomStatusText !== undefined)
    patch.allowCustomStatusText = request.allowCustomStatusText;
  if (request.presenceEnabled !== undefined) patch.presenceEnabled = request.presenceEnabled;
  if (request.maxConnections !== undefined) patch.maxConnections = request.maxConnections;
  if (request.meetingSetsBusy !== undefined) patch.meetingSetsBusy = request.meetingSetsBusy;
  if (request.reconnectGraceS !== undefined) patch.reconnectGraceS = request.reconnectGraceS;
  if (request.autoReenableBelow !== undefined) patch.autoReenableBelow = request.autoReenableBelow;
  return patch;
}
