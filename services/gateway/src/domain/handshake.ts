import { isValidId } from '@presence/domain';

/**
 * The WebSocket handshake of CONTRACT.md: `/v1/ws?token=<JWT>&device_id=<id>&platform=<p>`, the
 * token also accepted as `Authorization: Bearer <JWT>`. Pure: the adapter verifies the token.
 */

export const PLATFORMS = ['desktop', 'web', 'mobile'] as const;
export type PlatformName = (typeof PLATFORMS)[number];

export interface Handshake {
  readonly token: string | undefined;
  readonly deviceId: string | null;
  readonly platform: string | null;
}

export function readHandshake(url: URL, authorization: string | undefined): Handshake {
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  return {
    token: url.searchParams.get('token') ?? bearer,
    deviceId: url.searchParams.get('device_id'),
    platform: url.searchParams.get('platform'),
  };
}

export type DeviceCheck =
  | { readonly ok: true; readonly deviceId: string; readonly platform: PlatformName }
  | { readonly ok: false; readonly reason: string };

/** Close reason for 4400 when `device_id` or `platform` is bad (at most 123 bytes). */
export function checkDevice(handshake: Handshake): DeviceCheck {
  if (!isValidId(handshake.deviceId)) {
    return { ok: false, reason: 'device_id must match [A-Za-z0-9_-]{1,128}' };
  }
  if (!PLATFORMS.includes(handshake.platform as PlatformName)) {
    return { ok: false, reason: 'platform must be desktop, web or mobile' };
  }
  return { ok: true, deviceId: handshake.deviceId, platform: handshake.platform as PlatformName };
}
