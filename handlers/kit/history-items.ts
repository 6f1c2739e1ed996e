// The items of the kept histories (handlers/kit/history.ts), apart so that the page caches'
// registry (handlers/kit/detail.ts) can name them without importing the histories.
import type { BUSI_RECORD_PAGE } from '../../src/store/queries/records.js';
import type { PAY_HISTORY_PAGE } from '../../src/store/queries/payments.js';

type PayRow = Awaited<ReturnType<typeof PAY_HISTORY_PAGE.all>>[number];
type BusiRow = Awaited<ReturnType<typeof BUSI_RECORD_PAGE.all>>[number];

export interface PayItem {
  paysn: string;
  paymode: number;
  amount: PayRow['amount'];
  paytime: PayRow['paytime'];
  source: string;
  serial: string;
  payStatus: number;
  operator: string;
}

export interface BusiItem {
  busisn: string;
  busitype: number;
  busiStatus: number;
  param: BusiRow['param'];
  operator: string;
  created: BusiRow['created'];
  executed: BusiRow['executed'];
  result: BusiRow['result'];
}

