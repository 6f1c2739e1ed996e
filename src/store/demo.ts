// Deterministic demo data: a Qinghai-like province (regions by area code, Chinese names and
// addresses in GBK-representable characters) for development, tests and benchmarks.
//
// Determinism: every subscriber's rows come from its own PRNG stream, seeded from (seed, index),
// and every id is derived from the index (SUBSCRBID = 100000001 + i, BUSISN/PAYSN = (i+1)*100 + k…),
// so subscriber i is the same whatever the batch size or the total count, and demoFixtures()
// can describe the well-known demo subscribers without reading the database. Month-dependent
// rows (bills, tickets, real-time fees) are relative to the `now` passed in; times are built
// from local wall-clock components, which is what the stores keep (src/store/dialect.ts).
//
// Passwords: every subscriber's service password is one of PASSWORD_POOL (64) six-digit
// passwords derived from the seed. In 'scrypt' mode each distinct password is hashed once with
// the production cost (SCRYPT_DEFAULTS) and a salt derived from the seed, and subscribers sharing
// a password share its hash string. That is an honest demo shortcut, not a production practice:
// scrypt at full cost for 1,000,000 rows would take hours, and low-cost hashes would teach the
// wrong numbers. Real passwords (CS-22) get random salts from hashPassword.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AdminStore, BindValue } from './types.js';
import { TICKET_KINDS, columnsOf, ticketKindOf, ticketTable, ticketTableDef, type TicketKind } from './schema.js';
import {
  BUSI_STATUS,
  BUSI_TYPES,
  FEE_ITEMS,
  PAY_MODES,
  PAY_STATUS,
  PROVINCE_WIDE_REGION,
  REGIONS,
  SRVG_CODES,
  SUBSCRIBER_STATUS,
  type NetType,
} from '../domain/codes.js';
import { renderTicketDdl } from './ddl.js';
import type { TicketNaming } from './queries/define.js';
import { SCRYPT_DEFAULTS, scryptHash, scryptHashAsync, type PasswordStorage, type ScryptParams } from './password.js';
import { Rng } from '../random.js';

/** Demo sizes above this would overflow the service-number blocks below. */
export const MAX_DEMO_SUBSCRIBERS = 5_000_000;
export const PASSWORD_POOL = 64;

// ---------------------------------------------------------------------------------------------
// PRNG: mulberry32 streams (src/random.ts Rng) seeded by a murmur3-style mix of (seed, index, purpose).

function mix32(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x27d4eb2f) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

const SALT_SUB = 1;
const SALT_CUST = 2;
const SALT_PWD = 3;
const SALT_NUM = 4;

// ---------------------------------------------------------------------------------------------
// Reference tables of the demo province.

/** Price plans of the demo (TAB_PRCPLN). payMode is the TAB_PAYTYPE the account gets. */
export const PRICE_PLANS = [
  { code: 'G001', name: '全球通标准套餐', net: 'G', rent: 5000n, payMode: 2 },
  { code: 'G002', name: '神州行畅听卡', net: 'G', rent: 0n, payMode: 1 },
  { code: 'G003', name: '动感地带学生套餐', net: 'G', rent: 2000n, payMode: 1 },
  { code: 'G004', name: '全球通商旅套餐', net: 'G', rent: 12800n, payMode: 3 },
  { code: 'G009', name: '集团虚拟网套餐', net: 'G', rent: 3000n, payMode: 4 },
  { code: 'G010', name: '公免专线', net: 'G', rent: 0n, payMode: 5 },
  { code: 'C001', name: '如意通预付费', net: 'C', rent: 0n, payMode: 1 },
  { code: 'C002', name: '新时空标准套餐', net: 'C', rent: 3000n, payMode: 2 },
  { code: 'C009', name: '政企通套餐', net: 'C', rent: 5800n, payMode: 4 },
  { code: 'V001', name: 'IP电话标准资费', net: 'V', rent: 1000n, payMode: 2 },
  { code: 'X001', name: 'CDMA1X上网卡计时', net: 'X', rent: 2000n, payMode: 2 },
  { code: 'X002', name: 'CDMA1X上网卡包月', net: 'X', rent: 10000n, payMode: 3 },
] as const;

/** PR-04: no-print plans; G009 only in Xining, G010 and C009 province-wide (region Z). */
export const NOPRINT_PLANS = [
  { plan: 'G009', region: '0971', remark: '集团客户要求不打印详单(西宁)' },
  { plan: 'G010', region: PROVINCE_WIDE_REGION, remark: '公免专线全省不提供详单' },
  { plan: 'C009', region: PROVINCE_WIDE_REGION, remark: '政企客户全省不提供详单' },
] as const;

const REGION_WEIGHTS = [40, 20, 10, 8, 6, 5, 4, 3, 4]; // Xining … Yushu, per REGIONS order

const ADDRESSES: Record<string, { prefix: string; streets: readonly string[]; idArea: readonly string[]; post: string }> = {
  '0971': { prefix: '青海省西宁市', streets: ['城中区南大街', '城东区八一路', '城西区五四大街', '城北区柴达木路', '城中区长江路', '城东区东关大街', '城西区西关大街', '城北区朝阳东路'], idArea: ['630102', '630103', '630104', '630105'], post: '810000' },
  '0972': { prefix: '青海省海东市', streets: ['乐都区碾伯镇古城大街', '平安区平安大道', '民和县川口镇', '互助县威远镇', '化隆县巴燕镇'], idArea: ['630202', '630203', '632122'], post: '810600' },
  '0979': { prefix: '青海省格尔木市', streets: ['昆仑中路', '柴达木中路', '八一中路', '金峰路', '河西街道'], idArea: ['632801'], post: '816000' },
  '0977': { prefix: '青海省海西州', streets: ['德令哈市长江路', '德令哈市柴达木路', '都兰县察汗乌苏镇', '乌兰县希里沟镇'], idArea: ['632802', '632822'], post: '817000' },
  '0974': { prefix: '青海省海南州', streets: ['共和县恰卜恰镇', '贵德县河阴镇', '同德县尕巴松多镇'], idArea: ['632521', '632523'], post: '813000' },
  '0970': { prefix: '青海省海北州', streets: ['海晏县西海镇', '门源县浩门镇', '祁连县八宝镇'], idArea: ['632223', '632221'], post: '810200' },
  '0973': { prefix: '青海省黄南州', streets: ['同仁市隆务镇', '尖扎县马克唐镇', '泽库县泽曲镇'], idArea: ['632321'], post: '811300' },
  '0975': { prefix: '青海省果洛州', streets: ['玛沁县大武镇', '班玛县赛来塘镇', '达日县吉迈镇'], idArea: ['632621'], post: '814000' },
  '0976': { prefix: '青海省玉树州', streets: ['玉树市结古街道', '称多县称文镇', '囊谦县香达镇'], idArea: ['632701'], post: '815000' },
};

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '马', '韩', '周', '吴', '徐', '孙', '朱', '胡', '郭', '何', '高', '林', '罗', '祁', '冶', '鲁', '汪', '雷'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀', '霞', '平', '刚', '桂', '英', '华', '建', '国', '文', '海', '宁', '青', '晓', '梅', '斌', '玲', '鹏', '燕'];
// Tibetan names, common in Qinghai, written as one name without a surname.
const TIBETAN = ['才让', '卓玛', '扎西', '多杰', '拉毛', '索南', '尼玛', '德吉', '旦增', '央金', '才让卓玛', '扎西多杰', '更登', '公保', '措毛'];
const COMPANIES = ['西宁特钢', '青海盐湖', '格尔木炼油厂', '青海油田', '西宁市第一中学', '青海大学', '海东市人民医院'];

// Service-number blocks. Within a block the k-th number is an affine permutation of k, so numbers
// look scattered but never repeat. GSM: 11 prefixes × 97000000–97999999; CDMA 133/153 ×
// 97000000–97499999; CDMA1X data cards 133/153 × 97500000–97999999; VOIP: area code + 8 + 7 digits.
const GSM_PREFIX = ['139', '138', '137', '136', '135', '134', '159', '158', '150', '151', '152'];
const CDMA_PREFIX = ['133', '153'];
const PERM_A = 611953; // coprime with 2 and 5, so a bijection modulo 10^6 and 5·10^5

// Position of a subscriber's network in each block of 20 indexes: 14 GSM, 4 CDMA, 1 VOIP, 1 CDMA1X.
// The VOIP (18) and CDMA1X (19) subscribers belong to the customer of the CDMA subscriber at 17,
// so VO-07 (subscribers of the same customer) has answers.
function netOf(i: number): NetType {
  const r = i % 20;
  return r < 14 ? 'G' : r < 18 ? 'C' : r === 18 ? 'V' : 'X';
}
function netIndex(i: number): number {
  const block = Math.floor(i / 20);
  const r = i % 20;
  if (r < 14) return block * 14 + r;
  if (r < 18) return block * 4 + (r - 14);
  return block;
}
function custBase(i: number): number {
  const r = i % 20;
  return r >= 18 ? i - r + 17 : i;
}

interface Ctx {
  seed: number;
  now: Date;
  /** Current billing cycle first (index 0), then earlier months. */
  months: { cycle: string; start: Date; end: Date }[];
  passwords: string[];
  /** Stored SVCPWD per pool entry (plain or hash). */
  stored: string[];
  permB: number;
}

function pad(n: number | bigint, w: number): string {
  return String(n).padStart(w, '0');
}

function serviceNumber(ctx: Ctx, i: number, region: string): string {
  const net = netOf(i);
  const k = netIndex(i);
  if (net === 'G') {
    const j = Math.floor(k / GSM_PREFIX.length);
    return GSM_PREFIX[k % GSM_PREFIX.length] + String(97_000_000 + ((j * PERM_A + ctx.permB) % 1_000_000));
  }
  if (net === 'C' || net === 'X') {
    const j = Math.floor(k / CDMA_PREFIX.length);
    const base = net === 'C' ? 97_000_000 : 97_500_000;
    return CDMA_PREFIX[k % CDMA_PREFIX.length] + String(base + ((j * PERM_A + ctx.permB) % 500_000));
  }
  return `${region}8${pad((k * PERM_A + ctx.permB) % 10_000_000, 7)}`;
}

function luhn(digits: string): string {
  let sum = 0;
  for (let k = 0; k < digits.length; k++) {
    let d = digits.charCodeAt(digits.length - 1 - k) - 48;
    if (k % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** ICCID: 8986 + network (00 GSM, 03 CDMA) + 0 (in use) or 9 (stock) + 12-digit index + Luhn. */
function iccid(net: NetType, n: number, stock: boolean): string {
  const body = `8986${net === 'G' ? '00' : '03'}${stock ? '9' : '0'}${pad(n, 12)}`;
  return body + luhn(body);
}

/** IMSI: 460-00 (GSM) or 460-03 (CDMA) + 97 + 8-digit index (9 for stock cards). */
function imsi(net: NetType, n: number, stock: boolean): string {
  return `460${net === 'G' ? '00' : '03'}${stock ? '9' : '7'}${pad(n, 9)}`;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
/** An 18-digit resident ID number with a valid GB 11643 check character. */
function residentId(rng: Rng, area: string, birthYear: number): string {
  const body = `${area}${birthYear}${pad(rng.range(1, 12), 2)}${pad(rng.range(1, 28), 2)}${pad(rng.int(1000), 3)}`;
  let s = 0;
  for (let k = 0; k < 17; k++) s += (body.charCodeAt(k) - 48) * ID_WEIGHTS[k];
  return body + ID_CHECK[s % 11];
}

function pickRegion(rng: Rng): string {
  let r = rng.int(100);
  for (let k = 0; k < REGIONS.length; k++) {
    r -= REGION_WEIGHTS[k];
    if (r < 0) return REGIONS[k].code;
  }
  return REGIONS[0].code;
}

function personName(rng: Rng): string {
  if (rng.chance(0.15)) return rng.pick(TIBETAN);
  return rng.pick(SURNAMES) + rng.pick(GIVEN) + (rng.chance(0.6) ? rng.pick(GIVEN) : '');
}

function otherNumber(rng: Rng): string {
  if (rng.chance(0.7)) return `1${rng.pick(['39', '38', '35', '33', '53', '37'])}${rng.digits(8)}`;
  return `${rng.pick(REGIONS).code}${rng.range(2, 8)}${rng.digits(6)}`;
}

// ---------------------------------------------------------------------------------------------
// Well-known demo subscribers. Their indexes are fixed; their facts come from the generator.

interface FixedSub {
  status: number;
  region: string;
  plan: string;
  balance?: bigint;
  heavy?: boolean;
}
const FIXED: Record<number, FixedSub> = {
  0: { status: SUBSCRIBER_STATUS.ACTIVE.code, region: '0971', plan: 'G001', balance: 12345n, heavy: true },
  1: { status: SUBSCRIBER_STATUS.ARREARS_SUSPENDED.code, region: '0972', plan: 'G002', balance: -2350n },
  2: { status: SUBSCRIBER_STATUS.SUSPENDED.code, region: '0971', plan: 'G001', balance: 5000n },
  3: { status: SUBSCRIBER_STATUS.RESERVED_CANCEL.code, region: '0979', plan: 'G003', balance: 0n },
  4: { status: SUBSCRIBER_STATUS.CANCELLED.code, region: '0971', plan: 'G002', balance: 0n },
  5: { status: SUBSCRIBER_STATUS.ACTIVE.code, region: '0971', plan: 'G009', balance: 20000n },
  6: { status: SUBSCRIBER_STATUS.ACTIVE.code, region: '0976', plan: 'G010', balance: 0n },
  7: { status: SUBSCRIBER_STATUS.ACTIVE.code, region: '0972', plan: 'G009', balance: 8800n },
  14: { status: SUBSCRIBER_STATUS.ACTIVE.code, region: '0979', plan: 'C002', balance: 6600n, heavy: true },
  15: { status: SUBSCRIBER_STATUS.ARREARS_SUSPENDED.code, region: '0977', plan: 'C001', balance: -880n },
  16: { status: SUBSCRIBER_STATUS.ACTIVE.code, region: '0974', plan: 'C002', balance: 1500n },
  17: { status: SUBSCRIBER_STATUS.ACTIVE.code, region: '0971', plan: 'C009', balance: 30000n },
  18: { status: SUBSCRIBER_STATUS.ACTIVE.code, region: '0971', plan: 'V001', balance: 4000n },
  19: { status: SUBSCRIBER_STATUS.ACTIVE.code, region: '0971', plan: 'X002', balance: 10000n, heavy: true },
};
/** Index 16's ID number is on the blacklist (CS-15, CS-16). */
const BLACKLISTED_FIXTURE = 16;

function isHeavy(i: number): boolean {
  return FIXED[i]?.heavy === true || (i >= 100_000 && i % 100_000 === 20);
}

// ---------------------------------------------------------------------------------------------
// Column lists of the rows the generator emits (each a subset, in order, of the table's columns).

export const DEMO_COLUMNS = {
  TAB_SUBSCRB: ['SUBSCRBID', 'SVCNUM', 'NETTYPE', 'STATUS', 'CUSTID', 'ACCTID', 'IMSI', 'SIMCARDID', 'CARDNUM', 'REGION', 'PRCPLN', 'SVCPWD', 'CUSTNAME', 'IDTYPE', 'IDNUM', 'ADDRESS', 'CONTACTNUM', 'POSTCODE', 'OPENDATE', 'STATUSDATE', 'OPERATOR'],
  TAB_ACCT: ['ACCTID', 'CUSTID', 'ACCTNAME', 'PAY_MODE', 'REGION', 'BANKACCT', 'STATUS', 'CREATED'],
  ACCT_BALANCE: ['ACCTID', 'BALANCE', 'UPDATED'],
  TAB_SRVG: ['SUBSCRBID', 'SRVGID', 'PARAM', 'STATUS', 'STARTDATE', 'ENDDATE'],
  USR_BUSI_RECORD: ['BUSISN', 'SUBSCRBID', 'SVCNUM', 'BUSITYPE', 'STATUS', 'REGION', 'NETTYPE', 'IMSI', 'PARAM', 'OPERATOR', 'CREATED', 'EXECUTED', 'RESULT'],
  USR_BUSI_SRVG: ['BUSISN', 'SUBSCRBID', 'SVCNUM', 'SRVGID', 'ACTION', 'PARAM', 'OPERATOR', 'CREATED'],
  RES_MOB_CARD: ['SIMCARDID', 'IMSI', 'PUK', 'PIN', 'NETTYPE', 'REGION', 'STATUS', 'CREATED'],
  TAB_BILLDETAIL: ['SUBSCRBID', 'ACCTID', 'SVCNUM', 'BILLCYCLE', 'ITEMCODE', 'ITEMNAME', 'AMOUNT', 'DISCOUNT'],
  RATING2_REAL_FEE: ['SUBSCRBID', 'ACCTID', 'SVCNUM', 'BILLCYCLE', 'FEEITEM', 'AMOUNT', 'UPDATED'],
  BILL_RENT_ACCT_DETAIL: ['SUBSCRBID', 'ACCTID', 'SVCNUM', 'BILLCYCLE', 'RENTITEM', 'AMOUNT', 'UPDATED'],
  TAB_SPECIALCUSTLST: ['LISTID', 'IDTYPE', 'IDNUM', 'CUSTNAME', 'LISTTYPE', 'REASON', 'OWED', 'REGION', 'STATUS', 'CREATED'],
  TAB_PAY: ['PAYSN', 'ACCTID', 'SUBSCRBID', 'SVCNUM', 'PAYMODE', 'AMOUNT', 'PAYTIME', 'SOURCE', 'SERIAL', 'OPERATOR', 'STATUS', 'ORIG_PAYSN', 'REVERSED_BY'],
  TAB_ACCOUNTPREDEPOSIT: ['DEPOSITSN', 'ACCTID', 'PAYSN', 'DEPOSITTYPE', 'AMOUNT', 'CREATED'],
  TAB_ACCOUNTPREDEPOSITDTAL: ['ACCTID', 'DEPOSITTYPE', 'BALANCE', 'TOTAL_IN', 'TOTAL_OUT', 'UPDATED'],
  TAB_VOIPSUBSCRB: ['CARDNUM', 'BINDNUM', 'SUBSCRBID', 'CUSTID', 'USERNAME', 'BINDDATE'],
  TAB_PRCPLN: ['PRCPLN', 'PRCPLNNAME', 'NETTYPE', 'MONTHLY_RENT'],
  TAB_PRCPLN_NOPRINT: ['PRCPLN', 'REGION', 'REMARK', 'CREATED'],
} as const satisfies Record<string, readonly string[]>;

/** A demo ticket row has every column of its kind's table, in definition order. */
const TICKET_COLUMNS_DEMO: ReadonlyMap<TicketKind, readonly string[]> = new Map(
  TICKET_KINDS.map((kind) => [kind, columnsOf(ticketTableDef(kind, 'YYYYMM'))]),
);

type Row = BindValue[];
/** Where generated rows go: table name (ticket tables with their month) → row. */
export type Emit = (table: string, row: Row) => void;

/**
 * Another schema the demo is written into (a reference schema, src/store/schemas/): the default
 * demo's rows, generated once, translated by `write` into that schema's tables, codes and units,
 * so the two demos hold the same logical data and cannot drift.
 */
export interface DemoTarget {
  name: string;
  /** The schema's fixed tables (BSG_* included), in creation order. */
  tables: readonly import('./schema.js').Table[];
  /** One default row (table, columns of demoColumns(table)) → the target's rows. */
  write(table: string, row: Row, out: Emit): void;
  /** The columns of a target table's rows (`fallback`: the default demo's columns). */
  columns(table: string, fallback: (table: string) => readonly string[]): readonly string[];
  /** The target's own reference rows (loaded with the schema, demo or not). */
  referenceRows(): { table: string; rows: Row[] }[];
  /**
   * How the target names its monthly ticket tables (its queries file's `-- table:` templates);
   * absent: the default names. `write` puts the default names' rows into these tables.
   */
  tickets?: TicketNaming;
}

// ---------------------------------------------------------------------------------------------
// The demo province's own reference rows (price plans, no-print plans): loaded with the demo
// only. The rows every database gets (pay types, switch templates) are src/store/reference.ts.

function demoReferenceRows(now: Date): { table: keyof typeof DEMO_COLUMNS; rows: Row[] }[] {
  const created = new Date(now.getFullYear() - 3, 0, 1, 9, 0, 0);
  return [
    { table: 'TAB_PRCPLN', rows: PRICE_PLANS.map((p) => [p.code, p.name, p.net, p.rent]) },
    { table: 'TAB_PRCPLN_NOPRINT', rows: NOPRINT_PLANS.map((p) => [p.plan, p.region, p.remark, created]) },
  ];
}

// ---------------------------------------------------------------------------------------------
// Passwords and context.

function poolPasswords(seed: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < PASSWORD_POOL; k++) out.push(pad(mix32(seed, k, SALT_PWD) % 1_000_000, 6));
  return out;
}

// Hashes of the password pool per (seed, cost), computed once per process.
const hashCache = new Map<string, string>();
const cacheKey = (seed: number, k: number, params: ScryptParams) => `${seed >>> 0}:${k}:${params.N}:${params.r}:${params.p}`;
const demoSalt = (seed: number, k: number) => createHash('sha256').update(`bssgate-demo-salt:${seed >>> 0}:${k}`).digest().subarray(0, 16);

function poolStored(seed: number, passwords: string[], mode: PasswordStorage, params: ScryptParams): string[] {
  if (mode === 'plain') return passwords.slice();
  return passwords.map((p, k) => {
    const key = cacheKey(seed, k, params);
    let h = hashCache.get(key);
    if (!h) {
      h = scryptHash(p, demoSalt(seed, k), params);
      hashCache.set(key, h);
    }
    return h;
  });
}

/** Hashes the password pool on the thread pool, in parallel, before the (synchronous) generator needs it. */
async function warmPoolHashes(seed: number, params: ScryptParams): Promise<void> {
  const passwords = poolPasswords(seed);
  await Promise.all(
    passwords.map(async (p, k) => {
      const key = cacheKey(seed, k, params);
      if (!hashCache.has(key)) hashCache.set(key, await scryptHashAsync(p, demoSalt(seed, k), params));
    }),
  );
}

function monthsOf(now: Date, count: number): Ctx['months'] {
  const out: Ctx['months'] = [];
  for (let k = 0; k < count; k++) {
    const start = new Date(now.getFullYear(), now.getMonth() - k, 1, 0, 0, 0);
    const end = new Date(now.getFullYear(), now.getMonth() - k + 1, 1, 0, 0, 0);
    out.push({ cycle: `${start.getFullYear()}${pad(start.getMonth() + 1, 2)}`, start, end });
  }
  return out;
}

function makeCtx(seed: number, now: Date, mode: PasswordStorage, params: ScryptParams): Ctx {
  const passwords = poolPasswords(seed);
  return {
    seed: seed >>> 0,
    now,
    months: monthsOf(now, 7), // [0] current cycle, [1..6] the six billed cycles
    passwords,
    stored: poolStored(seed, passwords, mode, params),
    permB: mix32(seed, 0, SALT_NUM) % 500_000,
  };
}

/** The billing cycle (YYYYMM) of a local time. */
export function cycleOf(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1, 2)}`;
}

// ---------------------------------------------------------------------------------------------
// The generator.

const DAY = 86_400_000;

function daysAgo(now: Date, rng: Rng, lo: number, hi: number): Date {
  // Built from local components, whole seconds.
  const d = new Date(now.getTime() - rng.range(lo, hi) * DAY);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate(), rng.range(8, 19), rng.int(60), rng.int(60));
}

function randomTime(rng: Rng, start: Date, end: Date): Date {
  const span = Math.max(1, Math.floor((end.getTime() - start.getTime()) / 1000));
  return new Date(start.getTime() + rng.int(span) * 1000);
}

export interface DemoSubscriber {
  index: number;
  subscrbid: number;
  acctid: number;
  custid: number;
  svcnum: string;
  nettype: NetType;
  status: number;
  region: string;
  prcpln: string;
  /** The plain service password. */
  password: string;
  custName: string;
  idType: string;
  idNum: string;
  imsi: string | null;
  simcardid: string | null;
  puk: string | null;
  /** V: the IP Phone card; C: the card it is bound to, if any. */
  cardnum: string | null;
  balance: bigint;
  /** Thousands of tickets per month. */
  heavy: boolean;
  /** On the blacklist (TAB_SPECIALCUSTLST). */
  blacklisted: boolean;
  /** TAB_PAY rows of this subscriber (besides the reversal of subscriber 0). */
  payments: number;
  /** A card-system payment: its TAB_PAY SOURCE and SERIAL (PC-04 reversal tests), if any. */
  cardPayment: { paysn: number; source: string; serial: string; amount: bigint } | null;
}

const CARD_SOURCE = 'CARDSYS';

function subscriberFacts(ctx: Ctx, i: number): DemoSubscriber {
  const rng = new Rng(mix32(ctx.seed, i, SALT_SUB));
  const crng = new Rng(mix32(ctx.seed, custBase(i), SALT_CUST));
  const net = netOf(i);
  const fixed = FIXED[i];
  // customer facts (shared by 17, 18, 19 of each block): drawn first from the customer stream
  const custRegion = pickRegion(crng);
  const custName = personName(crng);
  const idType = crng.chance(0.97) ? '1' : '2';
  const addr = ADDRESSES[custRegion];
  const idNum = idType === '1' ? residentId(crng, crng.pick(addr.idArea), crng.range(1950, 2004)) : `G${crng.digits(8)}`;

  const region = fixed?.region ?? (custBase(i) !== i ? custRegion : pickRegion(rng));
  let status: number;
  if (fixed) status = fixed.status;
  else {
    const r = rng.int(100);
    status = r < 85 ? 1 : r < 88 ? 2 : r < 94 ? 3 : r < 96 ? 4 : 5;
  }
  const plans = PRICE_PLANS.filter((p) => p.net === net);
  const prcpln = fixed?.plan ?? rng.pick(plans).code;
  const pwdIndex = rng.int(PASSWORD_POOL);
  let balance: bigint;
  if (fixed?.balance !== undefined) balance = fixed.balance;
  else if (status === 3) balance = -BigInt(rng.range(100, 20000));
  else if (rng.chance(0.7)) balance = BigInt(rng.range(0, 50000));
  else balance = -BigInt(rng.range(0, 10000));
  const hasSim = net === 'G' || net === 'C' || net === 'X';
  const k = netIndex(i);
  const simN = i + 1;
  const cardnum = net === 'V' ? `1790${pad(k + 1, 12)}` : net === 'C' && i % 20 === 17 && Math.floor(i / 20) % 2 === 0 ? `1790${pad(Math.floor(i / 20) + 1, 12)}` : null;
  const puk = hasSim ? pad(mix32(ctx.seed, i, 77) % 100_000_000, 8) : null;
  const payCount = status === 5 ? 0 : i === 0 ? 3 : rng.int(3);
  let cardPayment: DemoSubscriber['cardPayment'] = null;
  // payment k of subscriber i has PAYSN (i+1)*100 + k; the first card payment is reported
  for (let p = 0; p < payCount; p++) {
    const mode = payModeOf(ctx, i, p);
    if (mode === PAY_MODES.CARD.code && !cardPayment) {
      const paysn = (i + 1) * 100 + p;
      cardPayment = { paysn, source: CARD_SOURCE, serial: cardSerial(paysn), amount: payAmount(ctx, i, p) };
    }
  }
  return {
    index: i,
    subscrbid: 100_000_001 + i,
    acctid: 300_000_001 + i,
    custid: 500_000_001 + custBase(i),
    svcnum: serviceNumber(ctx, i, region),
    nettype: net,
    status,
    region,
    prcpln,
    password: ctx.passwords[pwdIndex],
    custName,
    idType,
    idNum,
    imsi: hasSim ? imsi(net, i + 1, false) : null,
    simcardid: hasSim ? iccid(net, simN, false) : null,
    puk,
    cardnum,
    balance,
    heavy: isHeavy(i),
    blacklisted: i === BLACKLISTED_FIXTURE,
    payments: payCount,
    cardPayment,
  };
}

// Payment attributes come from their own small stream so subscriberFacts and the row generator agree.
function payRng(ctx: Ctx, i: number, p: number): Rng {
  return new Rng(mix32(ctx.seed, i * 8 + p, 91));
}
function payModeOf(ctx: Ctx, i: number, p: number): number {
  if (i === 0) return PAY_MODES.CARD.code;
  const r = payRng(ctx, i, p).int(10);
  return r < 4 ? PAY_MODES.CARD.code : r < 8 ? PAY_MODES.CASH.code : r < 9 ? PAY_MODES.BANK.code : PAY_MODES.CHEQUE.code;
}
function payAmount(ctx: Ctx, i: number, p: number): bigint {
  const rng = payRng(ctx, i, p);
  rng.next();
  return BigInt(rng.pick([1000, 2000, 3000, 5000, 10000, 20000, 30000, 50000]));
}
function cardSerial(paysn: number): string {
  return `QH${pad(paysn, 18)}`;
}

function sourceOf(mode: number): string {
  return mode === PAY_MODES.CARD.code ? CARD_SOURCE : mode === PAY_MODES.BANK.code ? 'BANK' : 'HALL';
}

const OPERATORS = ['XN0001', 'XN0023', 'HD0105', 'GM0007', 'HX0012', 'KF1001', 'KF1002'];
const SRVG_CHANCES: readonly [string, number][] = [
  [SRVG_CODES.CLIP.code, 0.4],
  [SRVG_CODES.CW.code, 0.2],
  [SRVG_CODES.CFU.code, 0.05],
  [SRVG_CODES.CFB.code, 0.03],
  [SRVG_CODES.ROAM_NAT.code, 0.2],
  [SRVG_CODES.ROAM_INT.code, 0.02],
  [SRVG_CODES.IDD.code, 0.03],
  [SRVG_CODES.DATA.code, 0.1],
];

/** Emits every row of subscriber i (and the rows that hang off it). */
function generateSubscriber(ctx: Ctx, i: number, emit: Emit): void {
  const f = subscriberFacts(ctx, i);
  const rng = new Rng(mix32(ctx.seed, i, SALT_SUB + 100)); // independent of the facts stream
  const crng = new Rng(mix32(ctx.seed, custBase(i), SALT_CUST + 100));
  const now = ctx.now;
  const net = f.nettype;
  const plan = PRICE_PLANS.find((p) => p.code === f.prcpln) ?? PRICE_PLANS[0];
  const addr = ADDRESSES[f.region];
  const address = `${addr.prefix}${crng.pick(addr.streets)}${crng.range(1, 300)}号`;
  const contact = crng.chance(0.6) ? `1${crng.pick(['39', '38', '33', '53'])}${crng.digits(8)}` : null;
  const openDate = FIXED[i] ? daysAgo(now, rng, 730, 3000) : daysAgo(now, rng, 30, 3650);
  const changed = f.status === 5 ? daysAgo(now, rng, 220, 700) : daysAgo(now, rng, 3, 60);
  const statusDate = f.status === 1 || changed < openDate ? openDate : changed;
  const operator = rng.pick(OPERATORS);
  const stored = ctx.stored[ctx.passwords.indexOf(f.password)];

  emit('TAB_SUBSCRB', [
    f.subscrbid, f.svcnum, net, f.status, f.custid, f.acctid, f.imsi, f.simcardid, f.cardnum, f.region, f.prcpln, stored,
    f.custName, f.idType, f.idNum, address, contact, addr.post, openDate, statusDate, operator,
  ]);
  const payMode = plan.payMode;
  const isCompany = rng.chance(0.05);
  emit('TAB_ACCT', [
    f.acctid, f.custid, isCompany ? rng.pick(COMPANIES) : f.custName, payMode, f.region,
    payMode === 3 ? `6228${rng.digits(15)}` : null, f.status === 5 ? 2 : 1, openDate,
  ]);
  emit('ACCT_BALANCE', [f.acctid, f.balance, new Date(now.getFullYear(), now.getMonth(), now.getDate(), 2, 0, 0)]);

  if (f.simcardid && f.imsi && f.puk) {
    emit('RES_MOB_CARD', [f.simcardid, f.imsi, f.puk, '1234', net === 'X' ? 'C' : net, f.region, f.status === 5 ? 3 : 2, openDate]);
  }
  // One card in stock for every 50 subscribers (CS-07 finds cards nobody uses yet).
  if (i % 50 === 49) {
    const sn = net === 'G' ? 'G' : 'C';
    emit('RES_MOB_CARD', [iccid(sn, i + 1, true), imsi(sn, i + 1, true), pad(mix32(ctx.seed, i, 78) % 100_000_000, 8), '1234', sn, f.region, 1, daysAgo(now, rng, 10, 400)]);
  }

  // Business records: BUSISN (i+1)*100 + k.
  let busiK = 0;
  const busi = (type: number, status: number, created: Date, param: string | null, result: string | null): number => {
    const sn = (i + 1) * 100 + busiK++;
    const executed = status === BUSI_STATUS.EXECUTED.code || status === BUSI_STATUS.FAILED.code ? new Date(created.getTime() + rng.range(2, 90) * 1000) : null;
    emit('USR_BUSI_RECORD', [sn, f.subscrbid, f.svcnum, type, status, f.region, net, f.imsi, param, operator, created, executed, result]);
    return sn;
  };
  busi(BUSI_TYPES.OPEN.code, BUSI_STATUS.EXECUTED.code, openDate, `开户 ${f.prcpln}`, '执行成功');
  if (rng.chance(0.2)) busi(BUSI_TYPES.PASSWORD_CHANGE.code, BUSI_STATUS.RECORDED.code, daysAgo(now, rng, 1, 365), '服务密码修改', null);
  if (rng.chance(0.1)) busi(BUSI_TYPES.PROFILE_CHANGE.code, BUSI_STATUS.RECORDED.code, daysAgo(now, rng, 1, 365), '联系电话变更', null);
  const statusBusi: Record<number, number> = {
    2: BUSI_TYPES.EMERGENCY_SUSPEND.code,
    3: BUSI_TYPES.ARREARS_SUSPEND.code,
    4: BUSI_TYPES.RESERVE_CANCEL.code,
    5: BUSI_TYPES.CANCEL.code,
  };
  if (statusBusi[f.status]) busi(statusBusi[f.status], BUSI_STATUS.EXECUTED.code, statusDate, null, '执行成功');
  if (rng.chance(0.01)) busi(BUSI_TYPES.CONDITIONAL_RESUME.code, BUSI_STATUS.FAILED.code, daysAgo(now, rng, 1, 200), null, 'HLR返回错误: 用户数据不存在');

  // Special services (G and C), each with its change record (CS-04).
  if (net === 'G' || net === 'C') {
    for (const [code, p] of SRVG_CHANCES) {
      if (!(rng.chance(p) || (i === 0 && code === SRVG_CODES.CFU.code))) continue;
      const start = daysAgo(now, rng, 1, 700);
      const param = code === SRVG_CODES.CFU.code || code === SRVG_CODES.CFB.code ? otherNumber(rng) : null;
      emit('TAB_SRVG', [f.subscrbid, code, param, 1, start, null]);
      const sn = busi(BUSI_TYPES.SRVG_ADD.code, BUSI_STATUS.EXECUTED.code, start, `${code}${param ? ` ${param}` : ''}`, '执行成功');
      emit('USR_BUSI_SRVG', [sn, f.subscrbid, f.svcnum, code, 'A', param, operator, start]);
    }
  }

  // VOIP cards (VO-05..07): the V subscriber's own number, and a bound CDMA number when there is one.
  if (net === 'V' && f.cardnum) {
    emit('TAB_VOIPSUBSCRB', [f.cardnum, f.svcnum, f.subscrbid, f.custid, f.custName, openDate]);
    if (Math.floor(i / 20) % 2 === 0) {
      const c = subscriberFacts(ctx, i - 1);
      emit('TAB_VOIPSUBSCRB', [f.cardnum, c.svcnum, f.subscrbid, f.custid, f.custName, openDate]);
    }
  }

  // Blacklist: the fixture, and one unrelated ID number per 200 subscribers.
  if (i === BLACKLISTED_FIXTURE) {
    emit('TAB_SPECIALCUSTLST', [i + 1, f.idType, f.idNum, f.custName, 1, '欠费未缴, 已催缴三次', 56800n, f.region, 1, daysAgo(now, rng, 30, 400)]);
  } else if (i % 200 === 199) {
    const lr = new Rng(mix32(ctx.seed, i, 55));
    const reg = pickRegion(lr);
    const type = lr.pick([1, 1, 1, 2, 3]);
    const reason = type === 1 ? '恶意欠费' : type === 2 ? '冒用他人证件开户' : '恶意投诉';
    emit('TAB_SPECIALCUSTLST', [i + 1, '1', residentId(lr, lr.pick(ADDRESSES[reg].idArea), lr.range(1955, 2000)), personName(lr), type, reason, type === 1 ? BigInt(lr.range(1000, 300000)) : 0n, reg, lr.chance(0.9) ? 1 : 0, daysAgo(now, lr, 10, 1500)]);
  }

  // Payments (CS-17, PC-03/04/07): PAYSN (i+1)*100 + p; subscriber 0 also has a reversed payment.
  const payCount = f.payments;
  let totalIn = 0n;
  for (let p = 0; p < payCount; p++) {
    const mode = payModeOf(ctx, i, p);
    const amount = payAmount(ctx, i, p);
    const paysn = (i + 1) * 100 + p;
    const when = daysAgo(now, rng, 2, 180);
    const serial = mode === PAY_MODES.CARD.code ? cardSerial(paysn) : `${sourceOf(mode).charAt(0)}${pad(paysn, 15)}`;
    const reversed = i === 0 && p === 2;
    emit('TAB_PAY', [paysn, f.acctid, f.subscrbid, f.svcnum, mode, amount, when, sourceOf(mode), serial, mode === PAY_MODES.CARD.code ? 'CARD01' : operator, reversed ? PAY_STATUS.REVERSED.code : PAY_STATUS.NORMAL.code, null, reversed ? paysn + 50 : null]);
    emit('TAB_ACCOUNTPREDEPOSIT', [paysn, f.acctid, paysn, 1, amount, when]);
    totalIn += amount;
    if (reversed) {
      const rsn = paysn + 50;
      const rwhen = new Date(when.getTime() + 600_000);
      emit('TAB_PAY', [rsn, f.acctid, f.subscrbid, f.svcnum, mode, -amount, rwhen, CARD_SOURCE, cardSerial(rsn), 'CARD01', PAY_STATUS.REVERSAL.code, paysn, null]);
      emit('TAB_ACCOUNTPREDEPOSIT', [rsn, f.acctid, rsn, 1, -amount, rwhen]);
      totalIn -= amount;
    }
  }
  const depBal = f.balance > 0n ? f.balance : 0n;
  const tin = totalIn > depBal ? totalIn : depBal;
  emit('TAB_ACCOUNTPREDEPOSITDTAL', [f.acctid, 1, depBal, tin, tin - depBal, new Date(now.getFullYear(), now.getMonth(), now.getDate(), 2, 0, 0)]);

  if (f.status === 5) return; // cancelled long ago: no recent bills or tickets

  // Bills of the six previous cycles after opening (CS-10, VO-03, C1-01).
  const srvgFee = net === 'G' || net === 'C' ? 500n : 0n;
  for (let m = 1; m <= 6; m++) {
    const mon = ctx.months[m];
    if (openDate >= mon.end) continue;
    const items: [number, bigint, bigint][] = [];
    if (plan.rent > 0n) items.push([FEE_ITEMS.RENT.code, plan.rent, 0n]);
    if (net === 'G' || net === 'C') {
      items.push([FEE_ITEMS.LOCAL.code, BigInt(rng.range(0, 8000)), 0n]);
      if (rng.chance(0.5)) items.push([FEE_ITEMS.LONG.code, BigInt(rng.range(50, 5000)), 0n]);
      if (rng.chance(0.6)) items.push([FEE_ITEMS.SMS.code, BigInt(rng.range(10, 1500)), 0n]);
      if (rng.chance(0.15)) items.push([FEE_ITEMS.ROAM.code, BigInt(rng.range(100, 9000)), 0n]);
      if (rng.chance(0.3)) items.push([FEE_ITEMS.FUNC.code, srvgFee, 0n]);
    } else if (net === 'X') items.push([FEE_ITEMS.DATA.code, BigInt(rng.range(0, 20000)), 0n]);
    else items.push([FEE_ITEMS.IP.code, BigInt(rng.range(0, 6000)), 0n]);
    if (rng.chance(0.1)) items.push([FEE_ITEMS.DISCOUNT.code, -BigInt(rng.range(100, 1000)), -BigInt(rng.range(100, 1000))]);
    for (const [code, amount, disc] of items) {
      emit('TAB_BILLDETAIL', [f.subscrbid, f.acctid, f.svcnum, mon.cycle, code, feeName(code), amount, disc]);
    }
  }

  // Real-time fees of the current cycle so far (CS-12, PC-05, SM-02).
  const cur = ctx.months[0];
  const elapsed = Math.max(0, Math.min(1, (now.getTime() - cur.start.getTime()) / (cur.end.getTime() - cur.start.getTime())));
  const upd = new Date(now.getTime() - rng.range(1, 120) * 60_000);
  if (openDate < now) {
    const usage = net === 'X' ? FEE_ITEMS.DATA.code : net === 'V' ? FEE_ITEMS.IP.code : FEE_ITEMS.LOCAL.code;
    emit('RATING2_REAL_FEE', [f.subscrbid, f.acctid, f.svcnum, cur.cycle, usage, BigInt(Math.round(rng.range(0, 8000) * elapsed)), upd]);
    if ((net === 'G' || net === 'C') && rng.chance(0.6)) emit('RATING2_REAL_FEE', [f.subscrbid, f.acctid, f.svcnum, cur.cycle, FEE_ITEMS.SMS.code, BigInt(Math.round(rng.range(0, 1500) * elapsed)), upd]);
    if ((net === 'G' || net === 'C') && rng.chance(0.4)) emit('RATING2_REAL_FEE', [f.subscrbid, f.acctid, f.svcnum, cur.cycle, FEE_ITEMS.LONG.code, BigInt(Math.round(rng.range(0, 5000) * elapsed)), upd]);
    if (plan.rent > 0n) emit('BILL_RENT_ACCT_DETAIL', [f.subscrbid, f.acctid, f.svcnum, cur.cycle, FEE_ITEMS.RENT.code, plan.rent, upd]);
    if (srvgFee > 0n && rng.chance(0.3)) emit('BILL_RENT_ACCT_DETAIL', [f.subscrbid, f.acctid, f.svcnum, cur.cycle, FEE_ITEMS.FUNC.code, srvgFee, upd]);
  }

  // Tickets of the current and two previous months, up to now (or the suspension).
  const until = f.status === 1 ? now : statusDate;
  const trng = new Rng(mix32(ctx.seed, i, SALT_SUB + 200));
  for (let m = 0; m < 3; m++) {
    const mon = ctx.months[m];
    const from = openDate > mon.start ? openDate : mon.start;
    const to = until < mon.end ? until : mon.end;
    if (to <= from) continue;
    const frac = (to.getTime() - from.getTime()) / (mon.end.getTime() - mon.start.getTime());
    const scaled = (full: number) => Math.round(full * frac);
    if (net === 'G' || net === 'C') {
      const voice = f.heavy ? scaled(1500) : trng.int(7);
      const table = ticketTable('GSMCDMA', mon.cycle);
      for (let t = 0; t < voice; t++) emit(table, voiceTicket(trng, f, from, to));
      const sms = f.heavy ? scaled(600) : trng.int(5);
      const stable = ticketTable('SMS', mon.cycle);
      for (let t = 0; t < sms; t++) emit(stable, smsTicket(trng, f, from, to));
    }
    if (net === 'X' || (net === 'C' && trng.chance(0.1))) {
      const n = f.heavy ? scaled(2000) : trng.int(9);
      const table = ticketTable('CDMA1X', mon.cycle);
      for (let t = 0; t < n; t++) emit(table, dataTicket(trng, f, from, to));
    }
    if (net === 'V' && f.cardnum) {
      const n = trng.int(7);
      const table = ticketTable('163', mon.cycle);
      for (let t = 0; t < n; t++) {
        const start = randomTime(trng, from, to);
        const dur = trng.range(10, 1800);
        const lt = trng.pick(['1', '2', '2', '3']);
        const fee = BigInt(Math.ceil(dur / 60) * (lt === '3' ? 480 : lt === '2' ? 30 : 20));
        emit(table, [f.cardnum, f.svcnum, otherNumber(trng), start, dur, lt, fee]);
      }
    }
  }
}

const FEE_NAMES = new Map<number, string>(Object.values(FEE_ITEMS).map((v) => [v.code, v.zh]));
function feeName(code: number): string {
  return FEE_NAMES.get(code) ?? String(code);
}

function voiceTicket(rng: Rng, f: DemoSubscriber, from: Date, to: Date): Row {
  const start = randomTime(rng, from, to);
  const r = rng.int(100);
  const callType = r < 58 ? '01' : r < 98 ? '02' : '03';
  const dur = rng.chance(0.1) ? rng.range(600, 3600) : rng.range(5, 300);
  const roam = rng.chance(0.9) ? '0' : rng.chance(0.7) ? '1' : rng.chance(0.9) ? '2' : '3';
  const longType = callType !== '02' && rng.chance(0.2) ? rng.pick(['1', '2', '2', '4']) : '0';
  const visit = roam === '0' ? f.region : roam === '1' ? rng.pick(REGIONS).code : null;
  const minutes = Math.ceil(dur / 60);
  const base = callType === '02' && roam === '0' ? 0 : minutes * (roam === '0' ? 20 : roam === '3' ? 300 : 60);
  const long = longType === '0' ? 0 : minutes * (longType === '4' ? 30 : longType === '1' ? 40 : 70);
  return [f.svcnum, callType, otherNumber(rng), start, dur, roam, visit, longType, rng.range(4096, 65535).toString(16).toUpperCase(), BigInt(base), BigInt(long), BigInt(base + long)];
}

function smsTicket(rng: Rng, f: DemoSubscriber, from: Date, to: Date): Row {
  const mo = rng.chance(0.55);
  const sp = rng.chance(0.05);
  return [f.svcnum, mo ? '01' : '02', sp ? `10${rng.digits(4)}` : otherNumber(rng), randomTime(rng, from, to), sp ? `9${rng.digits(5)}` : null, BigInt(sp ? rng.pick([100, 200]) : mo ? 10 : 0)];
}

function dataTicket(rng: Rng, f: DemoSubscriber, from: Date, to: Date): Row {
  const dur = rng.range(30, 7200);
  const up = rng.range(1_000, 5_000_000);
  const down = rng.range(10_000, 50_000_000);
  const fee = Math.min(Math.ceil((up + down) / 102_400), 5000); // 1 fen per 100 KB, capped per session
  return [f.svcnum, randomTime(rng, from, to), dur, BigInt(up), BigInt(down), rng.pick(['ctnet', 'ctwap', 'qh.cdma']), f.region, BigInt(fee)];
}

// ---------------------------------------------------------------------------------------------
// Public API.

export interface DemoFixtures {
  seed: number;
  /** The first subscriber: GSM, active, Xining, positive balance, thousands of tickets a month, CFU on, a reversed card payment. */
  first: DemoSubscriber;
  gsmArrears: DemoSubscriber;
  gsmSuspended: DemoSubscriber;
  gsmReservedCancel: DemoSubscriber;
  gsmCancelled: DemoSubscriber;
  /** Plan G009: no-print in Xining (0971) only. */
  noPrintRegional: DemoSubscriber;
  /** Plan G010: no-print province-wide (region Z). */
  noPrintProvince: DemoSubscriber;
  /** Plan G009 outside Xining: detail allowed. */
  noPrintOtherRegion: DemoSubscriber;
  cdma: DemoSubscriber;
  cdmaArrears: DemoSubscriber;
  /** Their ID number is on the blacklist (CS-15, CS-16). */
  cdmaBlacklisted: DemoSubscriber;
  /** Customer shared with `voip` and `cdma1x` (VO-07); bound to voip's IP Phone card. */
  cdmaWithVoip: DemoSubscriber;
  voip: DemoSubscriber;
  cdma1x: DemoSubscriber;
  /** Every fixture by index. */
  all: DemoSubscriber[];
  /** A SIM card in stock (RES_MOB_CARD status 1, CS-07), when the demo has at least 50 subscribers. */
  stockSim: { simcardid: string; imsi: string; puk: string };
}

/**
 * The well-known demo subscribers of a seed, computed without the database. Every demo of at
 * least 20 subscribers contains them. Passwords are plain text here, whatever the storage mode.
 */
export function demoFixtures(seed: number): DemoFixtures {
  const ctx = makeCtx(seed, new Date(2000, 0, 1), 'plain', SCRYPT_DEFAULTS);
  const at = (i: number) => subscriberFacts(ctx, i);
  const idx = Object.keys(FIXED).map(Number);
  return {
    seed,
    first: at(0),
    gsmArrears: at(1),
    gsmSuspended: at(2),
    gsmReservedCancel: at(3),
    gsmCancelled: at(4),
    noPrintRegional: at(5),
    noPrintProvince: at(6),
    noPrintOtherRegion: at(7),
    cdma: at(14),
    cdmaArrears: at(15),
    cdmaBlacklisted: at(16),
    cdmaWithVoip: at(17),
    voip: at(18),
    cdma1x: at(19),
    all: idx.map(at),
    stockSim: { simcardid: iccid('G', 50, true), imsi: imsi('G', 50, true), puk: pad(mix32(seed, 49, 78) % 100_000_000, 8) },
  };
}

export interface DemoOptions {
  subscribers: number;
  seed: number;
  /** Month-dependent data is relative to this instant (pass the Clock's date). */
  now: Date;
  /** How SVCPWD is stored (default scrypt). */
  passwordStorage?: PasswordStorage;
  /** scrypt cost of the demo hashes (default SCRYPT_DEFAULTS). */
  scrypt?: ScryptParams;
  /** Rows per bulkInsert call (default 20000). */
  batchRows?: number;
  log?: Logger;
  /** Write into another schema (default: bssgate's own). */
  target?: DemoTarget;
}

export interface DemoResult {
  subscribers: number;
  seconds: number;
  /** Rows loaded per table (ticket tables by their monthly name). */
  rows: Record<string, number>;
  /** Seconds spent in bulkInsert per table. */
  insertSeconds: Record<string, number>;
  /** Next value of each sequence after the demo (init restarts the sequences there). */
  nextIds: Record<string, bigint>;
}

/** Every row of the demo, table by table, through `emit`: the generator without a database (tests hash this). */
export function generateDemo(opts: Pick<DemoOptions, 'subscribers' | 'seed' | 'now' | 'passwordStorage' | 'scrypt'>, emit: Emit, from = 0, to = opts.subscribers): void {
  const ctx = makeCtx(opts.seed, opts.now, opts.passwordStorage ?? 'scrypt', opts.scrypt ?? SCRYPT_DEFAULTS);
  if (from === 0) {
    for (const r of demoReferenceRows(opts.now)) for (const row of r.rows) emit(r.table, row);
  }
  for (let i = from; i < to; i++) generateSubscriber(ctx, i, emit);
}

/** The columns of a demo row for `table` (a fixed table or a monthly ticket table). */
export function demoColumns(table: string): readonly string[] {
  if (table in DEMO_COLUMNS) return DEMO_COLUMNS[table as keyof typeof DEMO_COLUMNS];
  const kind = ticketKindOf(table);
  if (kind) return TICKET_COLUMNS_DEMO.get(kind)!;
  throw new RangeError(`no demo columns for ${table}`);
}

/**
 * Loads the demo into a database whose tables exist (ensureDatabase/initDatabase call this
 * between creating the tables and creating their indexes, after the reference rows of
 * src/store/reference.ts, which every database gets, demo or not).
 * The ticket tables of the three months are created here (under the target's names when it has
 * its own, DemoTarget.tickets), their indexes after the load.
 */
export async function loadDemo(store: AdminStore, opts: DemoOptions): Promise<DemoResult> {
  const n = opts.subscribers;
  if (!Number.isInteger(n) || n < 0 || n > MAX_DEMO_SUBSCRIBERS) throw new RangeError(`demo subscribers must be 0…${MAX_DEMO_SUBSCRIBERS}, got ${n}`);
  const t0 = performance.now();
  const batch = opts.batchRows ?? 20_000;
  if ((opts.passwordStorage ?? 'scrypt') === 'scrypt') await warmPoolHashes(opts.seed, opts.scrypt ?? SCRYPT_DEFAULTS);
  // Ticket tables first without indexes (a bulk load is several times faster), indexes at the end.
  const ticketIndexes: string[] = [];
  for (const mon of monthsOf(opts.now, 3)) {
    for (const kind of TICKET_KINDS) {
      const named = opts.target?.tickets?.table(kind, mon.cycle);
      if (await store.tableExists(named ?? ticketTable(kind, mon.cycle))) continue;
      const [create, ...indexes] = renderTicketDdl(kind, mon.cycle, store.dialect, named);
      await store.exec(create);
      ticketIndexes.push(...indexes);
    }
  }
  const pending = new Map<string, Row[]>();
  const rows: Record<string, number> = {};
  const insertSeconds: Record<string, number> = {};
  const target = opts.target;
  const flush = async (table: string) => {
    const rs = pending.get(table);
    if (!rs || rs.length === 0) return;
    pending.set(table, []);
    const s = performance.now();
    await store.bulkInsert(table, target ? target.columns(table, demoColumns) : demoColumns(table), rs);
    insertSeconds[table] = (insertSeconds[table] ?? 0) + (performance.now() - s) / 1000;
    rows[table] = (rows[table] ?? 0) + rs.length;
  };
  const full: string[] = [];
  const collect: Emit = (table, row) => {
    let rs = pending.get(table);
    if (!rs) pending.set(table, (rs = []));
    rs.push(row);
    if (rs.length === batch) full.push(table);
  };
  const emit: Emit = target ? (table, row) => target.write(table, row, collect) : collect;
  const genOpts = { subscribers: n, seed: opts.seed, now: opts.now, passwordStorage: opts.passwordStorage, scrypt: opts.scrypt };
  const STEP = 500; // subscribers generated between flush checks
  let lastLog = performance.now();
  let from = 0;
  do {
    generateDemo(genOpts, emit, from, Math.min(n, from + STEP));
    while (full.length) await flush(full.shift() as string);
    from += STEP;
    // Every step at debug (a terminal's progress bar, src/cli-progress.ts), every 5 s at info (the JSON log).
    if (opts.log) {
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        opts.log.info({ done: Math.min(n, from), of: n }, 'demo load progress');
      } else if (opts.log.isLevelEnabled('debug')) opts.log.debug({ done: Math.min(n, from), of: n }, 'demo load progress');
    }
  } while (from < n);
  for (const table of pending.keys()) await flush(table);
  for (const s of ticketIndexes) await store.exec(s);
  const nextIds: Record<string, bigint> = {
    SEQ_SUBSCRBID: BigInt(100_000_001 + n),
    SEQ_ACCTID: BigInt(300_000_001 + n),
    SEQ_CUSTID: BigInt(500_000_001 + n),
    // BUSISN/PAYSN/DEPOSITSN of subscriber i are (i+1)*100 + k, k < 100
    SEQ_BUSISN: BigInt((n + 1) * 100),
    SEQ_PAYSN: BigInt((n + 1) * 100),
    SEQ_DEPOSITSN: BigInt((n + 1) * 100),
    SEQ_LISTID: BigInt(n + 1),
  };
  return { subscribers: n, seconds: (performance.now() - t0) / 1000, rows, insertSeconds, nextIds };
}
