// Start-up errors of a cluster worker that the primary reports (it prints the one line and exits 1):
// the worker itself prints nothing more, so N workers failing alike do not print N more lines.
// Apart from src/cluster.ts so that the CLI's error handler asks without loading the gateway.
const reported = new WeakSet<object>();

/** Marks an error the primary has been told about (src/cluster.ts runWorker). */
export function markReportedToPrimary(err: unknown): void {
  if (typeof err === 'object' && err !== null) reported.add(err);
}

export function isReportedToPrimary(err: unknown): boolean {
  return typeof err === 'object' && err !== null && reported.has(err);
}
