// The start-up banner of `bssgate serve`: the interfaces bound and ready-to-paste calls. What it
// says about the data comes from the database itself (BSG_META rows the demo loader wrote, and the
// demo subscriber's own row), never from the configuration: `db init --demo 2000` then `serve`
// with demo_subscribers = 10000 announces 2000; an adopted legacy database gets no demo line (a
// password computed from a seed does not exist there).
import { readMeta } from './store/init.js';
import { demoFixtures } from './store/demo.js';
import { verifyPasswordAsync } from './store/password.js';
import { DEMO_SUBSCRIBER } from './store/queries/subscriber.js';
import type { AdminStore } from './store/types.js';
import type { BoundInterface } from './server/gateway.js';
import type { Config } from './config/types.js';

/** What the database says about itself, for the banner. */
export interface DatabaseFacts {
  /** 'created': bssgate created the schema; 'adopted': the operator's legacy schema. */
  origin: 'created' | 'adopted' | 'unknown';
  /** The demo loaded at creation (BSG_META demo_subscribers > 0). */
  demo?: {
    subscribers: number;
    seed: number;
    /** The seed's first demo subscriber, when its row is in TAB_SUBSCRB. */
    first?: { svcnum: string; password?: string };
  };
}

/**
 * Read BSG_META and check the demo's first subscriber against its row: the banner names that
 * subscriber only when the row exists, and its password only when the stored one still matches.
 */
export async function readDatabaseFacts(store: AdminStore): Promise<DatabaseFacts> {
  const meta = await readMeta(store);
  if (meta.adopted_at !== undefined) return { origin: 'adopted' };
  if (meta.created_at === undefined) return { origin: 'unknown' };
  const subscribers = Number(meta.demo_subscribers ?? '0');
  const seed = Number(meta.demo_seed ?? 'NaN');
  if (!(subscribers > 0) || !Number.isInteger(seed)) return { origin: 'created' };
  const fx = demoFixtures(seed).first;
  const row = await DEMO_SUBSCRIBER.one(store, { svcnum: fx.svcnum });
  if (!row) return { origin: 'created', demo: { subscribers, seed } };
  const matches = row.svcpwd !== '' && (await verifyPasswordAsync(fx.password, row.svcpwd));
  return { origin: 'created', demo: { subscribers, seed, first: { svcnum: fx.svcnum, password: matches ? fx.password : undefined } } };
}

/** Last month's billing cycle YYYYMM (complete, so its detail has records). */
function previousCycle(): string {
  const d = new Date();
  const p = new Date(d.getFullYear(), d.getMonth() - 1, 1);
  return `${p.getFullYear()}${String(p.getMonth() + 1).padStart(2, '0')}`;
}

export interface BannerInput {
  config: Config;
  bound: BoundInterface[];
  /** undefined: the database did not answer at start. */
  facts: DatabaseFacts | undefined;
  /** Worker processes serving ([server] workers). */
  workers?: number;
  /** OP-04: the admin listener, when it runs ([admin] enabled = true). */
  admin?: { host: string; port: number };
}

export function banner(r: BannerInput): string {
  const db = r.config.database;
  const workers = r.workers !== undefined && r.workers > 1 ? `, ${r.workers} workers` : '';
  const lines = [`bssgate ready (database: ${db.type}${db.path ? ' ' + db.path : ''}${workers})`];
  for (const b of r.bound) {
    lines.push(`  ${b.name.padEnd(8)} ${b.kind.padEnd(6)} ${b.host}:${b.port}  serves ${b.serves.join(', ')}`);
  }
  const first = r.bound[0];
  if (first) {
    lines.push(
      '',
      'Try it (in another terminal, in this directory):',
      `  node dist/src/cli.js call ${first.host}:${first.port} connection-check`,
      `  (the same: npx bssgate call ${first.host}:${first.port} connection-check)`,
    );
  }
  if (r.config.portOffset) {
    const o = r.config.portOffset;
    lines.push('', `Every port of ${r.config.files?.join(', ') ?? 'the configuration'} is shifted by ${o.value > 0 ? '+' : ''}${o.value} (${o.source}): the addresses above and below are the shifted ones.`);
  }
  if (r.admin) {
    // OP-04: what an operator checks, ready to paste (README "Operations").
    const a = `${r.admin.host === '0.0.0.0' || r.admin.host === '::' ? '127.0.0.1' : r.admin.host}:${r.admin.port}`;
    lines.push(
      '',
      `Operations (admin listener ${a}, docs/metrics.md):`,
      `  node dist/src/cli.js status ${a}`,
      `  curl http://${a}/health/ready`,
      `  curl http://${a}/metrics`,
      `  node dist/src/cli.js trace <number> --for 30m --admin ${a}   every request and answer of one number, to logs/trace/ (docs/logs.md)`,
    );
  }
  const f = r.facts;
  if (f === undefined) {
    lines.push('', 'The database did not answer at start: requests that need it are answered 9001 until it does (warn.log).');
  } else if (f.origin === 'adopted') {
    lines.push('', 'Database: the operator\'s legacy schema (adopted); no demo data.');
  } else if (f.demo === undefined) {
    lines.push('', 'Database: no demo data (`bssgate db init --demo N` loads some into an empty database).');
  } else {
    const { subscribers, seed, first: sub } = f.demo;
    const example = sub === undefined ? '' : sub.password !== undefined ? `; e.g. ${sub.svcnum} with service password ${sub.password}` : `; e.g. ${sub.svcnum}`;
    lines.push(
      '',
      `Demo data: ${subscribers} subscribers (seed ${seed})${example}.`,
      `  node dist/src/cli.js db fixtures --seed ${seed}   lists the others`,
    );
    if (sub !== undefined) {
      // One call per interface for that subscriber (README "Try it"); those needing the
      // password only when it is the one the database holds.
      const pw = sub.password;
      const demoCalls: Record<string, string | undefined> = {
        cs: `balance svcnum=${sub.svcnum}`,
        card: pw === undefined ? undefined : `card-verify svcnum=${sub.svcnum} password=${pw}`,
        print: pw === undefined ? undefined : `print-monthly-detail svcnum=${sub.svcnum} password=${pw} cycle=${previousCycle()} offset=0 limit=5`,
        sms: `sms-realtime-fees svcnum=${sub.svcnum}`,
      };
      for (const b of r.bound) {
        const call = demoCalls[b.kind];
        if (call && b.serves.length > 1) lines.push(`  node dist/src/cli.js call ${b.host}:${b.port} ${call}`);
      }
    }
  }
  lines.push('', 'Stop with Ctrl-C (SIGINT) or SIGTERM: requests in flight are answered first.', '');
  return lines.join('\n');
}
