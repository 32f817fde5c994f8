import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  PresenceAdminServiceClient,
  type UpdateSettingsRequest,
  type WorkspaceSettings,
} from '@presence/contracts';

/** A PresenceAdminService client for the aggregator on `port`, with promise-returning calls. */
export function presenceAdmin(port: number) {
  const client = new PresenceAdminServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const call =
    <Req, Res>(method: (req: Req, cb: (error: ServiceError | null, res: Res) => void) => unknown) =>
    (request: Req) =>
      new Promise<Res>((resolve, reject) =>
        method.call(client, request, (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      );
  return {
    client,
    updateSettings: async (patch: Partial<UpdateSettingsRequest>): Promise<WorkspaceSettings> =>
      (await call(client.updateSettings)(patch as UpdateSettingsRequest)).settings!,
    getSettings: async () => (await call(client.getSettings)({})).settings!,
    createCustomStatus: call(client.createCustomStatus),
    updateCustomStatus: call(client.updateCustomStatus),
    deleteCustomStatus: call(client.deleteCustomStatus),
    listCustomStatuses: call(client.listCustomStatuses),
    close: () => client.close(),
  };
}

export type PresenceAdmin = ReturnType<typeof presenceAdmin>;
