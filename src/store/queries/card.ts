// SIM/UIM card resources (RES_MOB_CARD): the PUK of a card (CS-06, CS-07). The PUK is a secret:
// it is read here and sent in a secret wire field, never logged (PIN is not read at all).
import { defineQuery } from './define.js';

/** CS-06 (by the subscriber's SIMCARDID), CS-07 (by the number printed on the card). */
export const SIM_CARD = defineQuery({
  name: 'card.by-simcardid',
  sql: 'SELECT SIMCARDID, IMSI, PUK, NETTYPE, STATUS FROM RES_MOB_CARD WHERE SIMCARDID = :simcardid',
  binds: { simcardid: 'text' },
  columns: { simcardid: 'text', imsi: 'text', puk: 'text', nettype: 'text', status: 'int' },
});
