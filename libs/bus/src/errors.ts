/** A failure of the bus adapter; `cause` keeps the client's original error. */
export class BusError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BusError';
  }
}

export function isBusError(value: unknown): value is BusError {
  return value instanceof BusError;
}
