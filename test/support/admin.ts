import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  PresenceAdminServiceClient,
  type CreateCustomStatusRequest,
  type CustomStatus,
  type UpdateCustomStatusRequest,
  type UpdateSettingsRequest,
  type WorkspaceSettings,
} from '@presence/contracts';

/** Settles a promise from a grpc-js unary callback. */
function settle<T>(
  resolve: (value: T) => void,
  reject: (error: ServiceError) => void,
): (error: ServiceError | null, response: T) => void {
  return (error, response) => (error ? reject(error) : resolve(response));
}

/** A PresenceAdminService client for the aggregator on `port`, with promise-returning calls. */
export function presenceAdmin(port: number) {
  const client = new PresenceAdminServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  return {
    client,
    updateSettings: (patch: Partial<UpdateSettingsRequest>) =>
      new Promise<WorkspaceSettings>((resolve, reject) =>
        client.updateSettings(
          patch as UpdateSettingsRequest,
          settle((response) => resolve(response.settings!), reject),
        ),
      ),
    getSettings: () =>
      new Promise<WorkspaceSettings>((resolve, reject) =>
        client.getSettings(
          {},
          settle((response) => resolve(response.settings!), reject),
        ),
      ),
    createCustomStatus: (request: CreateCustomStatusRequest) =>
      new Promise<string>((resolve, reject) =>
        client.createCustomStatus(
          request,
          settle((response) => resolve(response.id), reject),
        ),
      ),
    updateCustomStatus: (request: UpdateCustomStatusRequest) =>
      new Promise<void>((resolve, reject) =>
        client.updateCustomStatus(
          request,
          settle(() => resolve(), reject),
        ),
      ),
    deleteCustomStatus: (id: string) =>
      new Promise<void>((resolve, reject) =>
        client.deleteCustomStatus(
          { id },
          settle(() => resolve(), reject),
        ),
      ),
    listCustomStatuses: () =>
      new Promise<CustomStatus[]>((resolve, reject) =>
        client.listCustomStatuses(
          {},
          settle((response) => resolve(response.customStatuses), reject),
        ),
      ),
    close: () => client.close(),
  };
}

export type PresenceAdmin = ReturnType<typeof presenceAdmin>;
