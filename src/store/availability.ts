// Availability state shared by the three drivers (docs/store.md "Availability"): whether the store
// is down or closed, the one log line when the database is lost, the background reconnect (p-retry,
// backoff up to 5 s, forever, stopped by close()) and the mapping of "cannot answer now" driver
// errors to GatewayError DATABASE_UNAVAILABLE (9001: nothing was done). Each driver composes one
// Availability and supplies what differs: how to try the database again (which re-runs the
// durability check), which driver errors mean "unavailable", and its log details.
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { DurabilityError, describe, unavailable } from './errors.js';
import { databaseMetrics } from '../metrics.js';

export interface AvailabilityOptions {
  /** The driver's logger (already a child with its `store` field). */
  log: Logger;
  /** One reconnect attempt: resolves once the database answers again (durability checked), throws otherwise. */
  attempt: () => Promise<void>;
  /** True when a driver error means the database cannot answer now (answered 9001 by fail()). */
  isUnavailableError: (e: unknown) => boolean;
  /** First retry delay of the reconnect loop, ms (the backoff grows to 5000). */
  minTimeout: number;
  /** Message of the error line logged when the store goes down. */
  downMessage: string;
  /** Extra fields for the "unavailable" and "available again" lines (SQLite: the file's path). */
  fields?: Record<string, unknown>;
  /** Log a DurabilityError met while reconnecting as fatal on every attempt (PostgreSQL). */
  durabilityFatal?: boolean;
}

export const RECONNECTING_MESSAGE = 'database unavailable; queries answer 9001 while reconnecting in the background';

export class Availability {
  private err: Error | undefined;
  private reconnecting = false;
  private isClosed = false;
  private readonly abort = new AbortController();

  constructor(private readonly opts: AvailabilityOptions) {}

  /** The 9001 error every call answers while the database is lost; undefined while available. */
  get down(): Error | undefined {
    return this.err;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The error a call must fail with now (down, or closed), if any. */
  refusal(): Error | undefined {
    if (this.err) return this.err;
    if (this.isClosed) return unavailable('store closed');
    return undefined;
  }

  /** Throws when calls must not reach the database (down or closed). */
  gate(): void {
    const e = this.refusal();
    if (e) throw e;
  }

  /** Mark the store down (one log line) and start the background reconnect unless it runs already. */
  markDown(cause: unknown): void {
    if (this.isClosed) return;
    if (!this.err) {
      this.err = unavailable(describe(cause), cause);
      databaseMetrics.outage();
      this.opts.log.error({ err: describe(cause), ...this.opts.fields }, this.opts.downMessage);
    }
    if (!this.reconnecting) void this.reconnect();
  }

  /**
   * Map a driver error: 9001 for "cannot answer now" (marking the store down unless markDownIf says
   * otherwise), the error itself otherwise.
   */
  fail(e: unknown, markDownIf?: () => boolean): unknown {
    if (this.opts.isUnavailableError(e)) {
      if (!markDownIf || markDownIf()) this.markDown(e);
      return unavailable(describe(e), e);
    }
    return e;
  }

  /** Stop the reconnect loop; false when already closed. */
  close(): boolean {
    if (this.isClosed) return false;
    this.isClosed = true;
    this.abort.abort();
    return true;
  }

  private async reconnect(): Promise<void> {
    const { log, fields, durabilityFatal } = this.opts;
    this.reconnecting = true;
    try {
      await pRetry(() => this.opts.attempt(), {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: this.opts.minTimeout,
        maxTimeout: 5000,
        signal: this.abort.signal,
        unref: true,
        onFailedAttempt: ({ error, attemptNumber }) => {
          if (durabilityFatal && error instanceof DurabilityError) log.fatal({ err: error.message }, 'database back but its durability settings are too weak');
          else if (attemptNumber === 1 || attemptNumber % 20 === 0) log.warn({ err: describe(error), attemptNumber }, 'database still unavailable');
        },
      });
      this.err = undefined;
      databaseMetrics.reconnected();
      if (fields) log.info(fields, 'database available again');
      else log.info('database available again');
    } catch (e) {
      if (!this.isClosed) log.error({ err: describe(e) }, 'database reconnect stopped');
    } finally {
      this.reconnecting = false;
    }
  }
}
