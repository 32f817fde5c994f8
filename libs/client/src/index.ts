/** Client SDK of the Presence gateway (CONTRACT.md device WebSocket protocol). */
export const PROTOCOL_PATH = '/v1/ws';
