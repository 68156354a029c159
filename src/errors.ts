/**
 * One error type for everything the connector reports to the platform: it carries the Airbyte
 * `failure_type`, so the command layer can turn any failure into one TRACE ERROR without guessing.
 */
export type FailureType = 'config_error' | 'transient_error' | 'system_error';

export class ConnectorError extends Error {
  readonly failureType: FailureType;
  /** Detail for the platform's `internal_message` (never shown as the headline). */
  readonly internal?: string;
  /** The stream this failure belongs to, when it belongs to one. */
  readonly stream?: string;

  constructor(message: string, failureType: FailureType, options: { internal?: string; stream?: string } = {}) {
    super(message);
    this.name = 'ConnectorError';
    this.failureType = failureType;
    this.internal = options.internal;
    this.stream = options.stream;
  }
}

export const configError = (message: string, options?: { internal?: string; stream?: string }) =>
  new ConnectorError(message, 'config_error', options);

export const transientError = (message: string, options?: { internal?: string; stream?: string }) =>
  new ConnectorError(message, 'transient_error', options);

/** Whatever was thrown, as a ConnectorError (unknown errors are `system_error`). */
export function asConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectorError(`Unexpected error: ${message}`, 'system_error', {
    internal: error instanceof Error ? error.stack : undefined,
  });
}
