// The coverage rows of inventory IDs that are not wire functions (docs/legacy-inventory.md), and the
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
  { id: 'PC-06', business: 'none (303 / 304 re-sent)', coveredBy: 'idempotency in the dispatcher for every write function: key = client identity (`[client.<id>] name`) + business type + `serial`; a re-sent request gets the stored reply body byte for byte under its own seq, the same serial with different content is 2007; the ledger row (BSG_IDEMPOTENCY) commits with the write, a COMMIT in doubt is resolved through it before answering (src/idempotency.ts, docs/idempotency.md, test/dispatch/)', status: 'implemented' },
  { id: 'PC-07', business: 'none (a file)', coveredBy: '`bssgate reconcile <file>` and the `[card] reconcile_dir` drop directory watched by `bssgate serve`: the card system\'s daily file (H/P/R lines) against TAB_PAY; the card system is authoritative: missing postings applied, ours it lacks reversed, amounts corrected, each its own posting (src/domain/posting.ts); a report per run; a re-run changes nothing; a malformed file is refused with its line number, nothing applied; BSG_META `card_reconciled_through.<client>` (src/reconcile/, docs/reconciliation.md, test/reconcile/)', status: 'implemented' },
  { id: 'PC-09', business: 'none (restart behaviour)', coveredBy: 'no shared memory or on-disk state to clean; SIGTERM answers what is in flight, and a restart on the same ports right after works (test/cli/serve-and-call.test.ts)', status: 'implemented' },
  { id: 'PR-04', business: 'none (a rule)', coveredBy: 'no-print plans (TAB_PRCPLN_NOPRINT) checked by 402, 403 and the detail queries 111, 113, 208, 233 (handlers/kit/subscriber.ts refuseNoPrint); region `Z` = whole province; answered 2006 `DETAIL_RESTRICTED` (test/handlers/no-print.test.ts)', status: 'implemented' },
  { id: 'OC-01', business: 'none (scanner)', coveredBy: 'the online-command scanner (src/scanner/scanner.ts, docs/scanner.md): USR_BUSI_RECORD rows in status 5 (bssgate\'s or written by any other system) claimed with leases in BSG_CMD_QUEUE (SKIP LOCKED; any number of scanners, `bssgate scan`), one number\'s commands in BUSISN order, rendered through SWITCH_INS_MODEL, routed by region and network to a `[switch.<name>]`; file interface `PT.<busisn>` (src/scanner/file-delivery.ts, docs/switch-interfaces.md) for the G network of Xining and Haidong (test/scanner/)', status: 'implemented' },
  { id: 'OC-02', business: 'none (scanner)', coveredBy: 'the same scanner over the socket interface (src/scanner/socket-delivery.ts: one persistent connection per switch, login, keep-alive, reconnect, ACK per busisn and attempt, echoed) for the C network and the Golmud switch; a dead scanner\'s leases taken back and re-sent with the same busisn, recognised by the switch (test/scanner/two-scanners.test.ts)', status: 'implemented' },
  { id: 'OC-03', business: 'none (scanner)', coveredBy: 'results in USR_BUSI_RECORD: 7 executed / 8 failed with EXECUTED and RESULT (the switch\'s answer or the reason), shown by 105 (CS-05) and 211 (VO-11); retryable outcomes retried with exponential backoff up to `[scanner] max_attempts`, final failures in logs/scanner/err.MMDD and counted; `bssgate commands` (test/scanner/e2e.test.ts)', status: 'implemented' },
  { id: 'OP-01', business: 'none (operations)', coveredBy: '`bssgate serve h.ini [qhjfk.ini …]`: one program, the legacy INI file(s), one listener per interface (src/config, docs/config.md); `[server] workers = N` worker processes on the same ports (src/cluster.ts); SIGTERM answers every frame read (its result, or 9004 when not started)', status: 'implemented' },
  { id: 'OP-02', business: 'none (operations)', coveredBy: 'log families `query.MMDD`, `ans.MMDD`, `err.MMDD`, `suc_query.MMDD`, `warn.log`; secrets redacted (src/log, docs/logs.md)', status: 'implemented' },
  { id: 'OP-03', business: 'none (operations)', coveredBy: 'earlier days compressed into `bak/` by the program at local midnight; `retention_days`', status: 'implemented' },
  { id: 'OP-04', business: 'none (operations)', coveredBy: '`[admin]` HTTP listener: `/health/live`, `/health/ready` (database, interfaces, stopping), `/metrics` (Prometheus); `bssgate status`; Grafana dashboard; systemd unit (src/admin.ts, src/metrics.ts, docs/metrics.md)', status: 'implemented' },
  { id: 'OP-05', business: 'none (operations)', coveredBy: 'connection limit answered 9003, then closed, counted (`bssgate_refusals_total`, by cause) and logged; latency per function in `bssgate_request_duration_seconds`; several gateways behind HAProxy (config/haproxy.cfg); query speed targets are measured by bench/ as functions land', status: 'implemented' },
];

/** What a planned wire function will be (shown until its handler exists). */
export const PLANNED: Readonly<Record<string, string>> = {
};

/** The inventory's order of ID families. */
export const FAMILY_ORDER = ['CS', 'VO', 'C1', 'PC', 'PR', 'SM', 'OC', 'OP'] as const;
