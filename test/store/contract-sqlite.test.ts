import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import pino from 'pino';
import { createSqliteStore } from '../../src/store/open.js';
import { storeContract } from './contract.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-contract-sqlite-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

storeContract(t, 'sqlite', async () => createSqliteStore(path.join(dir, 'contract.db'), pino({ level: 'silent' })));
