import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import {
  runAccountIndexContract,
  runApiKeysWebhooksContract,
  runQueueContract,
  runStoreContract,
  type MakeStore,
} from '../src/contract/index.js';
import { openSqliteStore } from '../src/sqlite/index.js';

const root = mkdtempSync(join(tmpdir(), 'crmsync-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;

/** Each test gets its own database file in a temp dir, opened by the production opener. */
const makeStore: MakeStore = async ({ clock, encryptionKey }) => {
  const dir = join(root, `db-${++n}`);
  const file = join(dir, 'crmsync.db');
  const first = await openSqliteStore({ file, clock, encryptionKey });
  return {
    ...first,
    openAnother: (options) => openSqliteStore({ file, ...options }),
    // The database file, its WAL and shared-memory index: everything SQLite keeps at rest.
    rawContents: async () => Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name)))),
  };
};

runStoreContract('SQLite', makeStore);
runQueueContract('SQLite', makeStore);
runAccountIndexContract('SQLite', makeStore);
runApiKeysWebhooksContract('SQLite', makeStore);
