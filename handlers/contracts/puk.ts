// Contract of CS-06 puk-by-number (106), CS-07 puk-by-sim (107).
// CS-06 PUK by phone number (number → TAB_SUBSCRB.SIMCARDID → RES_MOB_CARD.PUK) and CS-07 PUK by
// SIM card number (RES_MOB_CARD directly, cards in stock too). One reply layout for both. The PUK
// is a secret field: it travels in the reply and is never written to a log (SPEC.md "Secret fields").
// The wire contract (handlers/contracts/define.ts); the handler is handlers/puk.ts.
import { char, code, withDoc } from '../../protocol/fields.js';
import { SIM_CARD_STATUS } from '../../src/domain/codes.js';
import { netType, simNum, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

const PUK_REPLY = [
  simNum,
  char('imsi', 15, { doc: 'IMSI of the card' }),
  char('puk', 8, { secret: true, doc: 'PUK code of the card (RES_MOB_CARD.PUK)' }),
  withDoc(netType, 'network of the card (a CDMA1X data card is a CDMA UIM: C)'),
  code('cardStatus', Object.values(SIM_CARD_STATUS), { doc: 'state of the card (RES_MOB_CARD.STATUS)' }),
] as const;

const EXAMPLE_REPLY = { simcardid: '89860000000000000019', imsi: '460007000000001', puk: '12345678', nettype: 'G', cardStatus: 2 };

export const byNumber = defineContract({
  key: 'PUK_BY_NUMBER',
  module: import.meta.url,
  request: [svcnum],
  response: PUK_REPLY,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'NO_SIM_CARD'],
  doc: [
    "The PUK of the SIM/UIM card the number uses now (TAB_SUBSCRB.SIMCARDID → RES_MOB_CARD). `puk` is a secret field: in the reply, never in a log.",
    '',
    '- An IP Phone (V) number has no SIM card: 2005 `NO_SIM_CARD`, as is a number whose SIMCARDID is empty or not in RES_MOB_CARD.',
    "- A cancelled number (status 5) is refused 2004: its card is void, and a reused number's PUK is the new subscriber's. When a number was reused, the live row is answered.",
  ].join('\n'),
  example: { request: { svcnum: '13997000001' }, response: EXAMPLE_REPLY },
});

export const bySim = defineContract({
  key: 'PUK_BY_SIM',
  module: import.meta.url,
  request: [simNum],
  response: PUK_REPLY,
  refusals: ['NO_SIM_CARD'],
  doc: [
    'The PUK of a SIM/UIM card by the card number printed on it (RES_MOB_CARD.SIMCARDID, compared exactly as sent). `puk` is a secret field: in the reply, never in a log.',
    '',
    '- Every card of RES_MOB_CARD is answered whatever its state — in stock, in use or void — with that state in `cardStatus`.',
    '- A card number not in RES_MOB_CARD is 2005 `NO_SIM_CARD`.',
  ].join('\n'),
  example: { request: { simcardid: '89860000000000000019' }, response: EXAMPLE_REPLY },
});

export default [...byNumber.rows, ...bySim.rows];
