// Reference rows every database bssgate creates gets, demo or not (src/store/init.ts loads them
// right after the tables): the account pay types (TAB_PAYTYPE, CS-09) and the switch command
// templates (SWITCH_INS_MODEL) the online-command scanner renders for every business type that
// needs the switch, per network and switch type (OC-01 file switches, OC-02 socket switches).
// Production data, not demo data: the demo subscribers and their fixtures are src/store/demo.ts.
// An adopted legacy database keeps its own rows (init.ts adds none there).
import type { BindValue } from './types.js';
import { ACCOUNT_PAY_TYPES, BUSI_TYPES, SWITCH_TYPES, type NetType } from '../domain/codes.js';

type Row = BindValue[];

/** The columns of each reference table, in the order of referenceRows()' values. */
export const REFERENCE_COLUMNS = {
  TAB_PAYTYPE: ['PAY_MODE', 'PAYTYPENAME', 'CREDIT_LEVEL', 'CREDIT_LIMIT'],
  SWITCH_INS_MODEL: ['BUSITYPE', 'NETTYPE', 'SWITCHTYPE', 'SEQNO', 'TEMPLATE', 'REMARK'],
} as const satisfies Record<string, readonly string[]>;

const SWITCH_BY_NET: Record<NetType, readonly (keyof typeof SWITCH_TYPES)[]> = { G: ['ERI_HLR', 'HW_HLR'], C: ['ZTE_HLR'], V: ['SOFTX'], X: ['AAA'] };

function templates(busi: keyof typeof BUSI_TYPES, sw: keyof typeof SWITCH_TYPES): string[] {
  const eri = (sud: string) => `HGSDC:MSISDN=86{SVCNUM},SUD=${sud};`;
  const hw = (args: string) => `MOD LCK:ISDN="86{SVCNUM}",${args};`;
  const zte = (stat: string) => `SET MSSTAT:MDN={SVCNUM},IMSI={IMSI},STAT=${stat};`;
  const softx = (args: string) => `MOD VSBR:DN="{SVCNUM}",${args};`;
  const aaa = (st: string) => `MOD USER:NAI="{SVCNUM}@qh.cdma",STATUS=${st};`;
  const T: Record<keyof typeof SWITCH_TYPES, Partial<Record<keyof typeof BUSI_TYPES, string[]>>> = {
    ERI_HLR: {
      OPEN: ['HGSUI:IMSI={IMSI},MSISDN=86{SVCNUM},PROFILE=1;'],
      CANCEL: ['HGSUE:MSISDN=86{SVCNUM};'],
      EMERGENCY_SUSPEND: [eri('OBO-2'), eri('OBI-1')],
      ARREARS_SUSPEND: [eri('OBO-2')],
      CONDITIONAL_RESUME: [eri('OBO-0'), eri('OBI-0')],
      PAYMENT_RESUME: [eri('OBO-0'), eri('OBI-0')],
      RESERVE_CANCEL: [eri('OBO-2'), eri('OBI-1'), eri('OBA-1')],
      UNRESERVE_CANCEL: [eri('OBA-0'), eri('OBO-0'), eri('OBI-0')],
      SRVG_ADD: ['HGSSI:MSISDN=86{SVCNUM},SS={SRVGID},PARAM={PARAM};'],
      SRVG_REMOVE: ['HGSSE:MSISDN=86{SVCNUM},SS={SRVGID};'],
      SRVG_MODIFY: ['HGSSC:MSISDN=86{SVCNUM},SS={SRVGID},PARAM={PARAM};'],
    },
    HW_HLR: {
      OPEN: ['ADD SUB:IMSI="{IMSI}",ISDN="86{SVCNUM}";'],
      CANCEL: ['RMV SUB:ISDN="86{SVCNUM}";'],
      EMERGENCY_SUSPEND: [hw('IC=TRUE,OC=TRUE')],
      ARREARS_SUSPEND: [hw('OC=TRUE')],
      CONDITIONAL_RESUME: [hw('IC=FALSE,OC=FALSE')],
      PAYMENT_RESUME: [hw('IC=FALSE,OC=FALSE')],
      RESERVE_CANCEL: [hw('IC=TRUE,OC=TRUE,GPRSLOCK=TRUE')],
      UNRESERVE_CANCEL: [hw('IC=FALSE,OC=FALSE,GPRSLOCK=FALSE')],
      SRVG_ADD: ['MOD SS:ISDN="86{SVCNUM}",SS={SRVGID},PROV=TRUE,PARA="{PARAM}";'],
      SRVG_REMOVE: ['MOD SS:ISDN="86{SVCNUM}",SS={SRVGID},PROV=FALSE;'],
      SRVG_MODIFY: ['MOD SS:ISDN="86{SVCNUM}",SS={SRVGID},PARA="{PARAM}";'],
    },
    ZTE_HLR: {
      OPEN: ['ADD MS:MDN={SVCNUM},IMSI={IMSI};'],
      CANCEL: ['DEL MS:MDN={SVCNUM},IMSI={IMSI};'],
      EMERGENCY_SUSPEND: [zte('SUSPEND')],
      ARREARS_SUSPEND: [zte('OWESUSPEND')],
      CONDITIONAL_RESUME: [zte('ACTIVE')],
      PAYMENT_RESUME: [zte('ACTIVE')],
      RESERVE_CANCEL: [zte('DISABLE')],
      UNRESERVE_CANCEL: [zte('ENABLE')],
      SRVG_ADD: ['SET MSSRV:MDN={SVCNUM},SRV={SRVGID},OPT=ADD,PARA={PARAM};'],
      SRVG_REMOVE: ['SET MSSRV:MDN={SVCNUM},SRV={SRVGID},OPT=DEL;'],
      SRVG_MODIFY: ['SET MSSRV:MDN={SVCNUM},SRV={SRVGID},OPT=MOD,PARA={PARAM};'],
    },
    SOFTX: {
      OPEN: ['ADD VSBR:DN="{SVCNUM}",CARD="{PARAM}";'],
      CANCEL: ['RMV VSBR:DN="{SVCNUM}";'],
      EMERGENCY_SUSPEND: [softx('CALLIN=FALSE,CALLOUT=FALSE')],
      ARREARS_SUSPEND: [softx('CALLOUT=FALSE')],
      CONDITIONAL_RESUME: [softx('CALLIN=TRUE,CALLOUT=TRUE')],
      PAYMENT_RESUME: [softx('CALLIN=TRUE,CALLOUT=TRUE')],
      RESERVE_CANCEL: [softx('CALLIN=FALSE,CALLOUT=FALSE,REG=FALSE')],
      UNRESERVE_CANCEL: [softx('CALLIN=TRUE,CALLOUT=TRUE,REG=TRUE')],
      SRVG_ADD: ['ADD VSBRSS:DN="{SVCNUM}",SS={SRVGID},PARA="{PARAM}";'],
      SRVG_REMOVE: ['RMV VSBRSS:DN="{SVCNUM}",SS={SRVGID};'],
      SRVG_MODIFY: ['MOD VSBRSS:DN="{SVCNUM}",SS={SRVGID},PARA="{PARAM}";'],
    },
    AAA: {
      OPEN: ['ADD USER:NAI="{SVCNUM}@qh.cdma",IMSI="{IMSI}";'],
      CANCEL: ['DEL USER:NAI="{SVCNUM}@qh.cdma";'],
      EMERGENCY_SUSPEND: [aaa('LOCK')],
      ARREARS_SUSPEND: [aaa('OWELOCK')],
      CONDITIONAL_RESUME: [aaa('ACTIVE')],
      PAYMENT_RESUME: [aaa('ACTIVE')],
      RESERVE_CANCEL: [aaa('DISABLE')],
      UNRESERVE_CANCEL: [aaa('ACTIVE')],
      SRVG_ADD: ['MOD USER:NAI="{SVCNUM}@qh.cdma",SRV={SRVGID},OPT=ADD;'],
      SRVG_REMOVE: ['MOD USER:NAI="{SVCNUM}@qh.cdma",SRV={SRVGID},OPT=DEL;'],
      SRVG_MODIFY: ['MOD USER:NAI="{SVCNUM}@qh.cdma",SRV={SRVGID},PARA="{PARAM}";'],
    },
  };
  return T[sw][busi] ?? [];
}

/** The reference rows: TAB_PAYTYPE and SWITCH_INS_MODEL (every switch busitype × nettype × switch type). */
export function referenceRows(): { table: keyof typeof REFERENCE_COLUMNS; rows: Row[] }[] {
  const paytype = ACCOUNT_PAY_TYPES.map((p) => [p.code, p.zh, p.creditLevel, p.creditLimit]);
  const models: Row[] = [];
  for (const [busiKey, busi] of Object.entries(BUSI_TYPES) as [keyof typeof BUSI_TYPES, (typeof BUSI_TYPES)[keyof typeof BUSI_TYPES]][]) {
    if (!busi.switch) continue;
    for (const net of ['G', 'C', 'V', 'X'] as const) {
      for (const sw of SWITCH_BY_NET[net]) {
        templates(busiKey, sw).forEach((t, n) => models.push([busi.code, net, sw, n + 1, t, busi.zh]));
      }
    }
  }
  return [
    { table: 'TAB_PAYTYPE', rows: paytype },
    { table: 'SWITCH_INS_MODEL', rows: models },
  ];
}
