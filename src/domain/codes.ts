// The business codes of the billing system: what the code columns of the legacy tables mean
// (subscriber status, network, business types, pay modes, special services, fee items, regions,
// switch types …). Domain rules, not storage: handlers, the demo generator, the reference rows
// (src/store/reference.ts), the scanner and docs/schema.md all use these objects. The tables and
// columns that hold them are src/store/schema.ts; the status transition table is
// src/domain/transitions.ts. Imports nothing.

export interface Code<C extends string | number> {
  code: C;
  zh: string;
  en: string;
}

function codeMap<C extends string | number, T extends Record<string, Code<C>>>(t: T): T {
  return t;
}

/** TAB_SUBSCRB.NETTYPE. */
export const NET_TYPES = codeMap({
  GSM: { code: 'G', zh: 'GSM网', en: 'GSM mobile' },
  CDMA: { code: 'C', zh: 'CDMA网', en: 'CDMA mobile' },
  VOIP: { code: 'V', zh: 'IP电话', en: 'VOIP (IP Phone)' },
  CDMA1X: { code: 'X', zh: 'CDMA1X数据', en: 'CDMA1X data' },
});
export type NetType = (typeof NET_TYPES)[keyof typeof NET_TYPES]['code'];

/** TAB_SUBSCRB.STATUS: the subscriber's network status (CS-08). */
export const SUBSCRIBER_STATUS = codeMap({
  ACTIVE: { code: 1, zh: '正常', en: 'active' },
  SUSPENDED: { code: 2, zh: '报停', en: 'suspended on request (CS-21 emergency suspend)' },
  ARREARS_SUSPENDED: { code: 3, zh: '欠费停机', en: 'suspended for arrears (PC-03 resumes it)' },
  RESERVED_CANCEL: { code: 4, zh: '预约销户', en: 'reserved for cancellation (CS-25)' },
  CANCELLED: { code: 5, zh: '已销户', en: 'cancelled' },
});
export type SubscriberStatus = (typeof SUBSCRIBER_STATUS)[keyof typeof SUBSCRIBER_STATUS]['code'];

/** USR_BUSI_RECORD.BUSITYPE. `switch` marks the types that produce a switch command (status 5). */
export const BUSI_TYPES = {
  OPEN: { code: 1, zh: '开户', en: 'open', switch: true },
  CANCEL: { code: 2, zh: '销户', en: 'cancel', switch: true },
  EMERGENCY_SUSPEND: { code: 11, zh: '紧急停机', en: 'emergency suspend (CS-21)', switch: true },
  CONDITIONAL_RESUME: { code: 12, zh: '有条件开机', en: 'conditional resume (CS-23)', switch: true },
  ARREARS_SUSPEND: { code: 13, zh: '欠费停机', en: 'arrears suspend', switch: true },
  PAYMENT_RESUME: { code: 14, zh: '缴费开机', en: 'resume after payment (PC-03)', switch: true },
  RESERVE_CANCEL: { code: 21, zh: '销户预约', en: 'cancellation reservation: disable IMSI-MDN (CS-25)', switch: true },
  UNRESERVE_CANCEL: { code: 22, zh: '取消销户预约', en: 'cancel the reservation: re-enable IMSI-MDN (CS-26)', switch: true },
  SRVG_ADD: { code: 31, zh: '特服开通', en: 'special service on (CS-24)', switch: true },
  SRVG_REMOVE: { code: 32, zh: '特服取消', en: 'special service off (CS-24)', switch: true },
  SRVG_MODIFY: { code: 33, zh: '特服修改', en: 'special service parameter change (CS-24)', switch: true },
  PROFILE_CHANGE: { code: 41, zh: '资料更改', en: 'profile change (CS-20)', switch: false },
  PASSWORD_CHANGE: { code: 42, zh: '服务密码修改', en: 'service password change (CS-22)', switch: false },
} as const satisfies Record<string, Code<number> & { switch: boolean }>;

/** USR_BUSI_RECORD.STATUS (OC-03). */
export const BUSI_STATUS = codeMap({
  RECORDED: { code: 1, zh: '已记录', en: 'recorded, no switch command needed' },
  QUEUED: { code: 5, zh: '待发指令', en: 'queued for the switch (the scanner claims these)' },
  SENDING: { code: 6, zh: '指令发送中', en: 'claimed by a scanner, being delivered' },
  EXECUTED: { code: 7, zh: '执行成功', en: 'executed by the switch' },
  FAILED: { code: 8, zh: '执行失败', en: 'failed (RESULT says why)' },
});

/** TAB_PAY.PAYMODE: how the money came in. */
export const PAY_MODES = codeMap({
  CASH: { code: 1, zh: '现金', en: 'cash at a service hall' },
  BANK: { code: 2, zh: '银行托收', en: 'bank collection' },
  CHEQUE: { code: 3, zh: '支票', en: 'cheque' },
  CARD: { code: 15, zh: '缴费卡', en: 'payment card / card system (PC-03)' },
});

/** TAB_PAY.STATUS. */
export const PAY_STATUS = codeMap({
  NORMAL: { code: 1, zh: '正常', en: 'posted' },
  REVERSED: { code: 2, zh: '已冲正', en: 'posted, later reversed (REVERSED_BY set)' },
  REVERSAL: { code: 3, zh: '冲正记录', en: 'the reversal itself (ORIG_PAYSN set, negative AMOUNT)' },
});

/** TAB_PAYTYPE rows: the account's pay mode (TAB_ACCT.PAY_MODE) and its credit level (CS-09). */
export const ACCOUNT_PAY_TYPES = [
  { code: 1, zh: '预付费', en: 'prepaid', creditLevel: 1, creditLimit: 0n },
  { code: 2, zh: '后付费现金', en: 'postpaid, cash', creditLevel: 2, creditLimit: 10000n },
  { code: 3, zh: '后付费托收', en: 'postpaid, bank collection', creditLevel: 3, creditLimit: 30000n },
  { code: 4, zh: '大客户', en: 'key account', creditLevel: 4, creditLimit: 100000n },
  { code: 5, zh: '公免', en: 'official free line', creditLevel: 5, creditLimit: 500000n },
] as const;

/** TAB_SRVG.SRVGID: special services (特服). */
export const SRVG_CODES = codeMap({
  CFU: { code: 'CFU', zh: '无条件呼转', en: 'call forwarding unconditional (PARAM = target number)' },
  CFB: { code: 'CFB', zh: '遇忙呼转', en: 'call forwarding on busy (PARAM = target number)' },
  CFNRY: { code: 'CFNRY', zh: '无应答呼转', en: 'call forwarding on no reply (PARAM = target number)' },
  CW: { code: 'CW', zh: '呼叫等待', en: 'call waiting' },
  CLIP: { code: 'CLIP', zh: '来电显示', en: 'calling line identification' },
  ROAM_NAT: { code: 'ROAMN', zh: '国内漫游', en: 'national roaming' },
  ROAM_INT: { code: 'ROAMI', zh: '国际漫游', en: 'international roaming' },
  IDD: { code: 'IDD', zh: '国际长途', en: 'international direct dialling' },
  SMS: { code: 'SMS', zh: '短信', en: 'short messages' },
  DATA: { code: 'DATA', zh: '数据业务', en: 'packet data' },
});

/** TAB_SRVG.STATUS: whether a special service is on. */
export const SRVG_STATUS_CODES = codeMap({
  ON: { code: 1, zh: '开通', en: 'on' },
  OFF: { code: 0, zh: '关闭', en: 'off' },
});

/** USR_BUSI_SRVG.ACTION: what a special-service change did (CS-04, CS-24). */
export const SRVG_ACTION_CODES = codeMap({
  ADD: { code: 'A', zh: '开通', en: 'added' },
  REMOVE: { code: 'D', zh: '取消', en: 'removed' },
  MODIFY: { code: 'M', zh: '修改', en: 'parameter changed' },
});

/** TAB_SUBSCRB.IDTYPE, TAB_SPECIALCUSTLST.IDTYPE: the ID document type (CS-03, CS-15). */
export const ID_TYPES = codeMap({
  RESIDENT_ID: { code: '1', zh: '居民身份证', en: 'resident ID card' },
  PASSPORT: { code: '2', zh: '护照', en: 'passport' },
  OFFICER: { code: '3', zh: '军官证', en: 'officer card' },
  OTHER: { code: '9', zh: '其他', en: 'other' },
});

/** RES_MOB_CARD.STATUS: a SIM/UIM card's state (CS-06, CS-07). */
export const SIM_CARD_STATUS = codeMap({
  IN_STOCK: { code: 1, zh: '库存', en: 'in stock, not yet issued' },
  IN_USE: { code: 2, zh: '在用', en: 'in use by a subscriber' },
  VOID: { code: 3, zh: '作废', en: 'void (the subscriber was cancelled or the card replaced)' },
});

/** TAB_SPECIALCUSTLST.LISTTYPE: why an ID document is listed (CS-15). */
export const LIST_TYPES = codeMap({
  ARREARS: { code: 1, zh: '欠费黑名单', en: 'arrears blacklist' },
  FRAUD: { code: 2, zh: '欺诈', en: 'fraud' },
  COMPLAINTS: { code: 3, zh: '恶意投诉', en: 'malicious complaints' },
});

/** TAB_SPECIALCUSTLST.STATUS: whether the entry is in force (CS-15, CS-16). */
export const LIST_STATUS = codeMap({
  LIFTED: { code: 0, zh: '已解除', en: 'lifted' },
  LISTED: { code: 1, zh: '在册', en: 'listed' },
});

/** Fee items of TAB_BILLDETAIL, RATING2_REAL_FEE (1xx usage) and BILL_RENT_ACCT_DETAIL (2xx rents). */
export const FEE_ITEMS = codeMap({
  LOCAL: { code: 101, zh: '本地通话费', en: 'local calls' },
  LONG: { code: 102, zh: '长途通话费', en: 'long-distance calls' },
  ROAM: { code: 103, zh: '漫游通话费', en: 'roaming calls' },
  SMS: { code: 104, zh: '短信费', en: 'short messages' },
  DATA: { code: 105, zh: '上网费', en: 'data' },
  IP: { code: 106, zh: 'IP长途费', en: 'IP long distance' },
  RENT: { code: 201, zh: '月租费', en: 'monthly rent' },
  FUNC: { code: 202, zh: '功能费', en: 'special-service fees' },
  DISCOUNT: { code: 301, zh: '优惠', en: 'discount (negative amount)' },
});

/** Regions (REGION columns): Qinghai area codes. 'Z' in TAB_PRCPLN_NOPRINT means the whole province (PR-04). */
export const REGIONS = [
  { code: '0971', zh: '西宁', en: 'Xining' },
  { code: '0972', zh: '海东', en: 'Haidong' },
  { code: '0979', zh: '格尔木', en: 'Golmud' },
  { code: '0977', zh: '海西', en: 'Haixi' },
  { code: '0974', zh: '海南', en: 'Hainan' },
  { code: '0970', zh: '海北', en: 'Haibei' },
  { code: '0973', zh: '黄南', en: 'Huangnan' },
  { code: '0975', zh: '果洛', en: 'Golog' },
  { code: '0976', zh: '玉树', en: 'Yushu' },
] as const;
/** PR-04: a no-print plan with this region applies province-wide. */
export const PROVINCE_WIDE_REGION = 'Z';

/** Switch types of SWITCH_INS_MODEL.SWITCHTYPE (OC-01 file, OC-02 socket). */
export const SWITCH_TYPES = codeMap({
  ERI_HLR: { code: 'ERI_HLR', zh: '爱立信HLR(文件)', en: 'Ericsson GSM HLR, command files PT.<busisn> (OC-01: Xining, Haidong)' },
  HW_HLR: { code: 'HW_HLR', zh: '华为HLR(socket)', en: 'Huawei GSM HLR over a socket (OC-02: Golmud)' },
  ZTE_HLR: { code: 'ZTE_HLR', zh: '中兴CDMA HLR', en: 'ZTE CDMA HLR over a socket (OC-02: C network)' },
  SOFTX: { code: 'SOFTX', zh: '软交换', en: 'VOIP softswitch' },
  AAA: { code: 'AAA', zh: 'AAA服务器', en: 'CDMA1X AAA server' },
});
