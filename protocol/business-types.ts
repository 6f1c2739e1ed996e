// THE table of business types: one row per wire business function of the legacy inventory
// (docs/legacy-inventory.md). The uint16 code is derived from the inventory ID:
//   CS-nn → 100+nn   VO-nn → 200+nn   C1-nn → 230+nn   PC-nn → 300+nn   PR-nn → 400+nn   SM-nn → 500+nn
// Not wire functions, so no code: PC-06 (re-sending 303/304, answered by their idempotency),
// PC-07 (reconciliation file), PC-09 (restart behaviour), PR-04 (a rule applied by 402/403 and
// the detail queries), OC-* (the command scanner), OP-* (operations). See SPEC.md's coverage table.

/** The four listening interfaces of the legacy system (OP-01): the one definition (src/types.ts re-exports it). */
export type InterfaceKind = 'cs' | 'card' | 'print' | 'sms';

export interface BusinessType {
  /** uint16 business type on the wire. */
  readonly code: number;
  /** Inventory IDs served by this code. */
  readonly ids: readonly string[];
  /** kebab-case name (logs, the CLI: `bssgate call … connection-check`). */
  readonly name: string;
  /** Title of the legacy document. */
  readonly title: string;
  /** Interfaces that serve it by default. */
  readonly interfaces: readonly InterfaceKind[];
}

const CS: readonly InterfaceKind[] = ['cs'];

export const BUSINESS_TYPES = {
  // Customer-service interface (客服接口), legacy qhh2 h.ini, port 9921.
  // CS-01 is served on all four interfaces: every client needs a link test.
  CONNECTION_CHECK: { code: 101, ids: ['CS-01'], name: 'connection-check', title: '连接校验', interfaces: ['cs', 'card', 'print', 'sms'] },
  AUTHENTICATE: { code: 102, ids: ['CS-02'], name: 'authenticate', title: '用户身份验证', interfaces: CS },
  PROFILE: { code: 103, ids: ['CS-03'], name: 'profile', title: '用户档案查询', interfaces: CS },
  SPECIAL_SERVICES: { code: 104, ids: ['CS-04'], name: 'special-services', title: '用户特服查询', interfaces: CS },
  CHANGE_RECORDS: { code: 105, ids: ['CS-05'], name: 'change-records', title: '异动查询', interfaces: CS },
  PUK_BY_NUMBER: { code: 106, ids: ['CS-06'], name: 'puk-by-number', title: 'PUK码查询(按电话号码查询)', interfaces: CS },
  PUK_BY_SIM: { code: 107, ids: ['CS-07'], name: 'puk-by-sim', title: 'PUK码查询(按SIM卡查询)', interfaces: CS },
  STATUS: { code: 108, ids: ['CS-08'], name: 'status', title: '状态查询', interfaces: CS },
  CREDIT_LEVEL: { code: 109, ids: ['CS-09'], name: 'credit-level', title: '信用级别查询', interfaces: CS },
  MONTHLY_BILL: { code: 110, ids: ['CS-10'], name: 'monthly-bill', title: '月结话费帐单查询', interfaces: CS },
  MONTHLY_DETAIL: { code: 111, ids: ['CS-11'], name: 'monthly-detail', title: '月结话费详单查询', interfaces: CS },
  REALTIME_TOTALS: { code: 112, ids: ['CS-12'], name: 'realtime-totals', title: '实时总帐查询', interfaces: CS },
  REALTIME_DETAIL: { code: 113, ids: ['CS-13'], name: 'realtime-detail', title: '实时清单查询', interfaces: CS },
  BALANCE: { code: 114, ids: ['CS-14'], name: 'balance', title: '帐户余额查询', interfaces: CS },
  BLACKLIST_QUERY: { code: 115, ids: ['CS-15'], name: 'blacklist-query', title: '黑名单查询', interfaces: CS },
  BLACKLIST_CHECK: { code: 116, ids: ['CS-16'], name: 'blacklist-check', title: '黑名单验证', interfaces: CS },
  PREPAYMENT_HISTORY: { code: 117, ids: ['CS-17'], name: 'prepayment-history', title: '预交流水查询', interfaces: CS },
  PROFILE_CHANGE: { code: 120, ids: ['CS-20'], name: 'profile-change', title: '资料更改', interfaces: CS },
  EMERGENCY_SUSPEND: { code: 121, ids: ['CS-21'], name: 'emergency-suspend', title: '紧急停机', interfaces: CS },
  PASSWORD_CHANGE: { code: 122, ids: ['CS-22'], name: 'password-change', title: '服务密码的修改', interfaces: CS },
  CONDITIONAL_RESUME: { code: 123, ids: ['CS-23'], name: 'conditional-resume', title: '有条件开机', interfaces: CS },
  SPECIAL_SERVICE_CHANGE: { code: 124, ids: ['CS-24'], name: 'special-service-change', title: '特服档案修改', interfaces: CS },
  CANCELLATION_RESERVE: { code: 125, ids: ['CS-25'], name: 'cancellation-reserve', title: '销户预约', interfaces: CS },
  CANCELLATION_UNRESERVE: { code: 126, ids: ['CS-26'], name: 'cancellation-unreserve', title: '取消销户预约', interfaces: CS },
  // Not in the legacy inventory (no ID): bssgate's own operator function for the lockout of the
  // password checks (CS-02, VO-01, PC-01, PR-01, SM-01). Codes 190–199 are kept for such.
  LOCKOUT_CLEAR: { code: 190, ids: [], name: 'lockout-clear', title: '解除密码锁定', interfaces: CS },

  // IP Phone (VOIP) functions, on the customer-service interface.
  VOIP_AUTHENTICATE: { code: 201, ids: ['VO-01'], name: 'voip-authenticate', title: 'IP Phone 身份验证', interfaces: CS },
  VOIP_PROFILE: { code: 202, ids: ['VO-02'], name: 'voip-profile', title: 'IP Phone用户档案查询', interfaces: CS },
  // VO-03: the flow text repeats CS-11 (detail); the table list and the title say bill → a bill, as CS-10.
  VOIP_MONTHLY_BILL: { code: 203, ids: ['VO-03'], name: 'voip-monthly-bill', title: 'IP Phone用户通过卡号或电话号码月结话费查询', interfaces: CS },
  VOIP_REALTIME_FEES: { code: 204, ids: ['VO-04'], name: 'voip-realtime-fees', title: 'IP Phone用户通过卡号或电话号码实时话费查询', interfaces: CS },
  // VO-05: the flow text is a copy of VO-04's; the title (all phone numbers of a card) wins.
  VOIP_CARD_NUMBERS: { code: 205, ids: ['VO-05'], name: 'voip-card-numbers', title: 'IP Phone通过卡号查询所有电话号码', interfaces: CS },
  VOIP_CARD_OF_NUMBER: { code: 206, ids: ['VO-06'], name: 'voip-card-of-number', title: 'IP Phone通过电话号码查卡号、用户名', interfaces: CS },
  VOIP_SAME_CUSTOMER: { code: 207, ids: ['VO-07'], name: 'voip-same-customer', title: 'IP Phone通过卡号或手机号码查询相同CUSID用户', interfaces: CS },
  // VO-08: the table says TICKET_163_yyyymm, the flow TICKET_193_yyyymm: one IP-call family, kept in TICKET_163 (SPEC.md section 9).
  VOIP_DETAIL: { code: 208, ids: ['VO-08'], name: 'voip-detail', title: 'IP Phone通过卡号或绑定号码查询详单', interfaces: CS },
  VOIP_PREPAYMENT_HISTORY: { code: 209, ids: ['VO-09'], name: 'voip-prepayment-history', title: 'IP Phone通过卡号查询预交款缴费记录', interfaces: CS },
  VOIP_SERVICE_CHANGES: { code: 210, ids: ['VO-10'], name: 'voip-service-changes', title: 'IP Phone通过卡号查询服务异动记录', interfaces: CS },
  VOIP_COMMAND_RECORDS: { code: 211, ids: ['VO-11'], name: 'voip-command-records', title: 'IP Phone通过卡号查询指令执行记录', interfaces: CS },

  // CDMA1X functions, on the customer-service interface.
  C1X_MONTHLY_BILL: { code: 231, ids: ['C1-01'], name: 'c1x-monthly-bill', title: 'CDMA1X用户月结话费查询', interfaces: CS },
  C1X_REALTIME_FEES: { code: 232, ids: ['C1-02'], name: 'c1x-realtime-fees', title: 'CDMA1X用户实时话费查询', interfaces: CS },
  C1X_DATA_DETAIL: { code: 233, ids: ['C1-03'], name: 'c1x-data-detail', title: 'CDMA1X用户详单查询', interfaces: CS },

  // Payment-card interface (缴费卡与冲值卡接口), legacy common_interface qhjfk.ini, port 7995.
  CARD_VERIFY: { code: 301, ids: ['PC-01'], name: 'card-verify', title: '手机校验', interfaces: ['card'] },
  CARD_SUBSCRIBER_INFO: { code: 302, ids: ['PC-02'], name: 'card-subscriber-info', title: '用户信息查询', interfaces: ['card'] },
  PAYMENT: { code: 303, ids: ['PC-03'], name: 'payment', title: '缴费请求', interfaces: ['card'] },
  REVERSAL: { code: 304, ids: ['PC-04'], name: 'reversal', title: '冲正请求', interfaces: ['card'] },
  CARD_BALANCE: { code: 305, ids: ['PC-05'], name: 'card-balance', title: '话费余额查询', interfaces: ['card'] },
  RECENT_CARD_PAYMENTS: { code: 308, ids: ['PC-08'], name: 'recent-card-payments', title: '最近一小时缴费卡缴费', interfaces: ['card'] },

  // Self-service detail-print interface (详单打印接口), legacy qhprint print.ini, port 9923.
  PRINT_AUTHENTICATE: { code: 401, ids: ['PR-01'], name: 'print-authenticate', title: '身份验证', interfaces: ['print'] },
  PRINT_MONTHLY_DETAIL: { code: 402, ids: ['PR-02'], name: 'print-monthly-detail', title: '月结话费详单查询', interfaces: ['print'] },
  PRINT_C1X_DETAIL: { code: 403, ids: ['PR-03'], name: 'print-c1x-detail', title: '月结CDMA1X数据流量详单查询', interfaces: ['print'] },

  // SMS bill-query interface (短信查费接口), legacy dxjk dxjk.ini, port 9925.
  SMS_VERIFY: { code: 501, ids: ['SM-01'], name: 'sms-verify', title: '手机校验', interfaces: ['sms'] },
  SMS_REALTIME_FEES: { code: 502, ids: ['SM-02'], name: 'sms-realtime-fees', title: '实时话费查询', interfaces: ['sms'] },
} as const satisfies Record<string, BusinessType>;

export type BusinessKey = keyof typeof BUSINESS_TYPES;
export type BusinessCode = (typeof BUSINESS_TYPES)[BusinessKey]['code'];

export interface BusinessRow extends BusinessType {
  readonly key: BusinessKey;
}

/** Every row, in table order. */
export const BUSINESS_ROWS: readonly BusinessRow[] = Object.freeze(
  (Object.entries(BUSINESS_TYPES) as [BusinessKey, BusinessType][]).map(([key, row]) => Object.freeze({ key, ...row })),
);

const BY_CODE = new Map<number, BusinessRow>(BUSINESS_ROWS.map((r) => [r.code, r]));
const BY_NAME = new Map<string, BusinessRow>(BUSINESS_ROWS.map((r) => [r.name, r]));
const BY_ID = new Map<string, BusinessRow>(BUSINESS_ROWS.flatMap((r) => r.ids.map((id) => [id, r] as const)));

/** The row of a wire code, or undefined (the dispatcher answers UNKNOWN_BUSINESS, 1003). */
export function businessByCode(code: number): BusinessRow | undefined {
  return BY_CODE.get(code);
}

/** The row of a kebab-case name (CLI), or undefined. */
export function businessByName(name: string): BusinessRow | undefined {
  return BY_NAME.get(name);
}

/** The row serving an inventory ID (e.g. 'CS-14'), or undefined when it is not a wire function. */
export function businessById(id: string): BusinessRow | undefined {
  return BY_ID.get(id);
}

/** The wire code an inventory ID maps to by the numbering rule (whether or not it is a wire function). */
export function codeForId(id: string): number | undefined {
  const m = /^(CS|VO|C1|PC|PR|SM)-(\d\d)$/.exec(id);
  if (!m) return undefined;
  const base = { CS: 100, VO: 200, C1: 230, PC: 300, PR: 400, SM: 500 }[m[1] as 'CS' | 'VO' | 'C1' | 'PC' | 'PR' | 'SM'];
  return base + Number(m[2]);
}
