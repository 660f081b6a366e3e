import type { StoreErrorCode, StoreFailure } from '@crmsync/core';

/** Thrown by the store for conditions a caller can act on; `code` is stable, the message says what to do. */
export class StoreError extends Error implements StoreFailure {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
