// SIM/UIM card resources (RES_MOB_CARD): the PUK of a card (CS-06, CS-07). The PUK is a secret:
// it is read here and sent in a secret wire field, never logged (PIN is not read at all).
import { defineQuery } from './define.js';

/**
 * RES_MOB_CARD.STATUS, as documented in src/store/schema.ts. It has no code table of its own
 * there yet; it belongs beside the others.
 */
export const SIM_CARD_STATUS = {
  IN_STOCK: { code: 1, zh: '库存', en: 'in stock, not yet issued' },
  IN_USE: { code: 2, zh: '在用', en: 'in use by a subscriber' },
  VOID: { code: 3, zh: '作废', en: 'void (the subscriber was cancelled or the card replaced)' },
} as const;

/** CS-06 (by the subscriber's SIMCARDID), CS-07 (by the number printed on the card). */
export const SIM_CARD = defineQuery({
  name: 'card.by-simcardid',
  sql: 'SELECT SIMCARDID, IMSI, PUK, NETTYPE, STATUS FROM RES_MOB_CARD WHERE SIMCARDID = :simcardid',
  binds: { simcardid: 'text' },
  columns: { simcardid: 'text', imsi: 'text', puk: 'text', nettype: 'text', status: 'int' },
});
