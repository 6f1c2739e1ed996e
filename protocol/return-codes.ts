// The return-code table: one row per code. The wire carries `code` (uint16) in the header's
// result field; the response body starts with `message` (GBK). Families (docs/architecture.md):
//   0 success · 1000–1999 the request is wrong · 2000–2999 the business refuses ·
//   9000–9999 the system cannot answer now ("nothing was done"; the client may safely retry).
// protocol/SPEC.md lists every code; a test checks the two agree.

export const RETURN_CODES = {
  OK: { code: 0, message: '成功', en: 'success' },

  // 1xxx — the request is wrong
  MALFORMED_HEADER: { code: 1001, message: '报文头格式错误', en: 'malformed header' },
  UNSUPPORTED_VERSION: { code: 1002, message: '不支持的协议版本', en: 'unsupported protocol version' },
  UNKNOWN_BUSINESS: { code: 1003, message: '未知业务类型', en: 'unknown business type' },
  BUSINESS_NOT_SERVED: { code: 1004, message: '本接口不提供该业务', en: 'business type not served on this interface' },
  BODY_MISMATCH: { code: 1005, message: '报文体与格式不符', en: 'body does not match its layout' },
  INVALID_FIELD: { code: 1006, message: '字段取值无效', en: 'invalid field value' },
  FRAME_TOO_SHORT: { code: 1007, message: '报文长度不足', en: 'length field below 56: no room for the header (60 bytes from the start of the frame)' },
  FRAME_TOO_LARGE: { code: 1008, message: '报文超长', en: 'frame length above the interface max_frame' },
  NOT_A_REQUEST: { code: 1009, message: '报文类型不是请求', en: 'kind is not 1 (request)' },
  UNKNOWN_CLIENT: { code: 1010, message: '客户端地址未登记，不受理写交易', en: 'write from an address no [client.<id>] section covering the interface names' },
  CHECK_CODE_FAILED: { code: 1011, message: '验证码错误', en: 'check code (验证码) of a text framing profile does not verify under the client\'s key (docs/framing.md): refused before dispatch, nothing done' },

  // 2xxx — the business refuses
  NO_SUBSCRIBER: { code: 2001, message: '无此用户', en: 'no such subscriber' },
  WRONG_PASSWORD: { code: 2002, message: '密码错误', en: 'wrong password' },
  PASSWORD_LOCKED: { code: 2003, message: '密码错误次数过多，已锁定', en: 'locked after too many wrong passwords' },
  STATUS_FORBIDS: { code: 2004, message: '用户状态不允许该操作', en: 'subscriber status forbids the operation' },
  NO_SIM_CARD: { code: 2005, message: '无此SIM卡', en: 'no such SIM card' },
  DETAIL_RESTRICTED: { code: 2006, message: '该套餐不允许查询或打印详单', en: 'detail restricted (no-print price plan)' },
  SERIAL_CONFLICT: { code: 2007, message: '流水号重复且内容不同', en: 'duplicate serial with different content' },
  ORIGINAL_NOT_FOUND: { code: 2008, message: '原缴费记录不存在', en: 'original payment not found' },
  ALREADY_REVERSED: { code: 2009, message: '该笔缴费已冲正', en: 'already reversed' },
  AMOUNT_OUT_OF_BOUNDS: { code: 2010, message: '金额超出范围', en: 'amount out of bounds' },
  NO_ACCOUNT: { code: 2011, message: '无此帐户', en: 'no such account' },
  NO_RECORD: { code: 2012, message: '无记录', en: 'no such record' },
  BALANCE_OUT_OF_RANGE: { code: 2013, message: '帐户金额超出范围', en: 'account total would leave the int64 range; nothing posted' },

  // 9xxx — the system cannot answer now; nothing was done
  DATABASE_UNAVAILABLE: { code: 9001, message: '数据库不可用', en: 'database unavailable' },
  TIMEOUT: { code: 9002, message: '处理超时', en: 'timeout' },
  TOO_MANY_CONNECTIONS: { code: 9003, message: '连接数过多', en: 'too many connections' },
  SHUTTING_DOWN: { code: 9004, message: '服务正在停止', en: 'service is shutting down' },
  INTERNAL_ERROR: { code: 9999, message: '系统内部错误', en: 'internal error' },
} as const;

export type ReturnCodeName = keyof typeof RETURN_CODES;
export type ReturnCode = (typeof RETURN_CODES)[ReturnCodeName]['code'];

const BY_CODE = new Map<number, { name: ReturnCodeName; code: number; message: string; en: string }>();
for (const [name, row] of Object.entries(RETURN_CODES) as [ReturnCodeName, (typeof RETURN_CODES)[ReturnCodeName]][]) {
  BY_CODE.set(row.code, { name, ...row });
}

/** The row of a code, or undefined for a code not in the table. */
export function returnCode(code: number) {
  return BY_CODE.get(code);
}

/** The family of a code: 'ok' | 'request' | 'business' | 'system' | 'unknown'. */
export function codeFamily(code: number): 'ok' | 'request' | 'business' | 'system' | 'unknown' {
  if (code === 0) return 'ok';
  if (code >= 1000 && code <= 1999) return 'request';
  if (code >= 2000 && code <= 2999) return 'business';
  if (code >= 9000 && code <= 9999) return 'system';
  return 'unknown';
}

/**
 * The one typed error of bssgate. Anything thrown that is not a GatewayError becomes
 * INTERNAL_ERROR (9999) in the dispatcher. `detail` goes to the message sent to the client
 * (after the code's own text); `cause` is for the logs only.
 */
export class GatewayError extends Error {
  readonly code: number;
  readonly rc: ReturnCodeName;
  readonly detail?: string;
  constructor(rc: ReturnCodeName, detail?: string, options?: { cause?: unknown }) {
    const row = RETURN_CODES[rc];
    super(detail ? `${row.en}: ${detail}` : row.en, options);
    this.name = 'GatewayError';
    this.rc = rc;
    this.code = row.code;
    this.detail = detail;
  }
  /** The GBK message sent in the response body. */
  get wireMessage(): string {
    const row = RETURN_CODES[this.rc];
    return this.detail ? `${row.message}: ${this.detail}` : row.message;
  }
}
