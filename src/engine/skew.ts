/**
 * Records dated ahead of the connector's clock but not ahead of the API's (the `Date` header of the answer that
 * carried them): the API's clock is ahead of this machine's. Said once for the whole run, instead of one
 * "ahead of the connector's clock" WARN per stream: the cause is one clock, not each stream's data.
 *
 * The connector does not take the API's clock for its own here [a choice]: a cursor may still move only as far as
 * this machine's clock allows. A `Date` header is one server's say (a proxy at api_base_url may write its own), and one
 * wrongly ahead would let a record from a client with a wrong clock push a cursor past records not yet arrived: a
 * loss. Kept on this machine's clock, those records are printed and read again next time: a duplicate. The API's
 * clock is still used where a wrong one costs no record: a pass's ceiling and the metrics' current bucket.
 */
import { duration } from './windows.js';

export class ClockSkew {
  private readonly counts = new Map<string, number>();
  /** The API's latest clock seen with such a record, unix seconds. */
  private apiNow = 0;
  private aheadBy = 0;

  /** A record of `stream` dated ahead of this machine's clock (`nowSeconds`) and within the API's (`apiSeconds`). */
  note(stream: string, apiSeconds: number, nowSeconds: number): void {
    this.counts.set(stream, (this.counts.get(stream) ?? 0) + 1);
    this.apiNow = Math.max(this.apiNow, Math.floor(apiSeconds));
    this.aheadBy = Math.max(this.aheadBy, apiSeconds - nowSeconds);
  }

  /** The run's one WARN, or undefined when no record was noted. `local`: the API is on this machine or its network. */
  warning(options: { local: boolean }): string | undefined {
    if (this.counts.size === 0) return undefined;
    const total = [...this.counts.values()].reduce((n, c) => n + c, 0);
    const streams = [...this.counts].map(([stream, n]) => `${stream} ${n.toLocaleString('en-US')}`).join(', ');
    const fix = options.local
      ? `run the connector on the API's clock (the sandbox's, which moves when told): CIO_TEST_CLOCK=${this.apiNow}, read again after each move (POST /__sandbox/advance answers the new time)`
      : "set this machine's clock right (NTP)";
    return (
      `The API's clock (the Date of its answers) is ${duration(Math.round(this.aheadBy))} ahead of this machine's: ${total.toLocaleString('en-US')} record${total === 1 ? '' : 's'} ` +
      `dated after this machine's time (${streams}) ${total === 1 ? 'was' : 'were'} printed but moved no cursor, so the next read prints them again (duplicates, never a loss), ` +
      `and time windows end at this machine's time. To line the clocks up, ${fix}.`
    );
  }
}

/** Whether a base URL's host is this machine or a private network (a sandbox, a local proxy), not Customer.io. */
export function localHost(baseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host) || /^10\./.test(host) || /^192\.168\./.test(host) || /^172\.(1[6-9]|2\d|3[01])\./.test(host);
}
