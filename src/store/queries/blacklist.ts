// The blacklist by ID document (TAB_SPECIALCUSTLST): CS-15 lists the entries of an ID number,
// CS-16 says whether it is listed now. Entries are by ID document, not by network.
import { defineQuery } from './define.js';
import { LIST_STATUS } from '../../domain/codes.js';

/** CS-15: how many entries an ID number has, listed or lifted (the page's `total`). */
export const BLACKLIST_COUNT = defineQuery({
  name: 'blacklist.count',
  sql: 'SELECT COUNT(*) AS N FROM TAB_SPECIALCUSTLST WHERE IDNUM = :idnum',
  binds: { idnum: 'text' },
  columns: { n: 'int' },
});

/** CS-15: one page of an ID number's entries, newest first (LISTID breaks ties). */
export const BLACKLIST_PAGE = defineQuery({
  name: 'blacklist.page',
  sql: `SELECT LISTID, IDTYPE, CUSTNAME, LISTTYPE, REASON, OWED, REGION, STATUS, CREATED
FROM TAB_SPECIALCUSTLST WHERE IDNUM = :idnum
ORDER BY CREATED DESC, LISTID DESC {{page :offset :limit}}`,
  binds: { idnum: 'text', offset: 'int', limit: 'int' },
  columns: {
    listid: 'id',
    idtype: 'text',
    custname: 'text',
    listtype: 'int',
    reason: 'text?',
    owed: 'money',
    region: 'text',
    status: 'int',
    created: 'datetime',
  },
});

/** CS-16: the entries in force (STATUS 1) of an ID number. */
export const BLACKLIST_LISTED_COUNT = defineQuery({
  name: 'blacklist.listed-count',
  sql: `SELECT COUNT(*) AS N FROM TAB_SPECIALCUSTLST WHERE IDNUM = :idnum AND STATUS = ${LIST_STATUS.LISTED.code}`,
  binds: { idnum: 'text' },
  columns: { n: 'int' },
});
