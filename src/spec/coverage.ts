// The coverage rows of inventory IDs that are not wire functions (legacy-interfaces.md), and the
// one-line plans of wire functions not implemented yet. The spec's coverage table (section 9)
// is rendered from these and the handler list (src/spec/render.ts): a wire ID is "implemented"
// exactly when a handler serves its business type.

export interface NonWireCoverage {
  id: string;
  /** What the business-type column says ("none (a file)"). */
  business: string;
  coveredBy: string;
  status: 'implemented' | 'planned';
}

export const NON_WIRE: readonly NonWireCoverage[] = [
  { id: 'PC-06', business: 'none (303 / 304 re-sent)', coveredBy: 'idempotency on `serial`: a re-sent payment or reversal gets the stored reply byte for byte; the same serial with different content is 2007', status: 'planned' },
  { id: 'PC-07', business: 'none (a file)', coveredBy: 'reconciliation job reading the card system\'s daily file; the card system is authoritative', status: 'planned' },
  { id: 'PC-09', business: 'none (restart behaviour)', coveredBy: 'no shared memory or on-disk state to clean; SIGTERM answers what is in flight, and a restart on the same ports right after works (test/cli/serve-and-call.test.ts)', status: 'implemented' },
  { id: 'PR-04', business: 'none (a rule)', coveredBy: 'no-print plans (TAB_PRCPLN_NOPRINT) checked by 402, 403 and the detail queries 111, 113, 208, 233 (handlers/kit/subscriber.ts refuseNoPrint); region `Z` = whole province; answered 2006 `DETAIL_RESTRICTED` (test/handlers/no-print.test.ts)', status: 'implemented' },
  { id: 'OC-01', business: 'none (scanner)', coveredBy: 'online-command scanner, file delivery `PT.<busisn>`', status: 'planned' },
  { id: 'OC-02', business: 'none (scanner)', coveredBy: 'online-command scanner, socket delivery', status: 'planned' },
  { id: 'OC-03', business: 'none (scanner)', coveredBy: 'command results in USR_BUSI_RECORD, read by 105 / 211', status: 'planned' },
  { id: 'OP-01', business: 'none (operations)', coveredBy: '`bssgate serve h.ini [qhjfk.ini …]`: one program, the legacy INI file(s), one listener per interface (src/config, docs/config.md)', status: 'implemented' },
  { id: 'OP-02', business: 'none (operations)', coveredBy: 'log families `query.MMDD`, `ans.MMDD`, `err.MMDD`, `suc_query.MMDD`, `warn.log`; secrets redacted (src/log, docs/logs.md)', status: 'implemented' },
  { id: 'OP-03', business: 'none (operations)', coveredBy: 'earlier days compressed into `bak/` by the program at local midnight; `retention_days`', status: 'implemented' },
  { id: 'OP-04', business: 'none (operations)', coveredBy: 'health check and metrics on an admin port', status: 'planned' },
  { id: 'OP-05', business: 'none (operations)', coveredBy: 'connection limit answered 9003, then closed, counted and logged (implemented); query speed targets are measured by bench/ as functions land', status: 'implemented' },
];

/** What a planned wire function will be (shown until its handler exists). */
export const PLANNED: Readonly<Record<string, string>> = {
  'CS-20': 'handler; update and USR_BUSI_RECORD in one transaction',
  'CS-21': 'handler; queues a switch command (status 5)',
  'CS-22': 'handler; passwords are secret fields',
  'CS-23': 'handler; queues a switch command',
  'CS-24': 'handler; queues a switch command',
  'CS-25': 'handler; queues a switch command',
  'CS-26': 'handler; queues a switch command',
  'PC-02': 'handler',
  'PC-03': 'handler; exactly once per serial; resume command in the same transaction',
  'PC-04': 'handler; exactly once per serial',
  'PC-05': 'handler',
  'PC-08': 'handler (list)',
};

/** The inventory's order of ID families. */
export const FAMILY_ORDER = ['CS', 'VO', 'C1', 'PC', 'PR', 'SM', 'OC', 'OP'] as const;
