/** Why the store cannot take events: in words for the 503, /healthz and the log — what happened, never a path or a body. */

export class StoreError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the store is on a read-only file system',
  EACCES: 'the store folder is not writable by the receiver',
  EPERM: 'the store folder is not writable by the receiver',
  EIO: 'the disk reported an I/O error',
  EMFILE: 'too many open files',
};

export function storeError(error: unknown): StoreError {
  const code = (error as NodeJS.ErrnoException)?.code;
  const reason = (code && REASONS[code]) ?? `writing failed${code ? ` (${code})` : ''}`;
  return new StoreError(`cannot store the event: ${reason}${code && REASONS[code] ? ` (${code})` : ''}`, code);
}
