// Every query module: importing this registers every typed query (queryNames() is then complete),
// which the queries file, `bssgate db queries` and `db check` need before they look names up.
import './acceptance.js';
import './account.js';
import './auth.js';
import './bills.js';
import './blacklist.js';
import './business-record.js';
import './card.js';
import './commands.js';
import './payments.js';
import './profile.js';
import './records.js';
import './subscriber.js';
import './tickets.js';
import './voip.js';
