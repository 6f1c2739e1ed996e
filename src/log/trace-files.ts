// Where the per-number traces (src/trace.ts) keep their files under [log] dir, and how long a
// trace may run: what the trace writer and the log archiver's retention (archive.ts) both rely on.
import { join } from 'node:path';

/** The longest duration of a trace. */
export const TRACE_MAX_MS = 24 * 3600_000;

/** The directory of the trace files and of their state, under [log] dir. */
export const traceDir = (logDir: string): string => join(logDir, 'trace');

/** A trace's file name: `<number>.<YYYYMMDDHHMMSS>.log` (its local start time). */
export const TRACE_FILE_NAME = /^\d{3,20}\.\d{14}\.log$/;
