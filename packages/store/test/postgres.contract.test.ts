import { after } from 'node:test';
import pg from 'pg';
import {
  ManualClock,
  runAccountIndexContract,
  runApiKeysWebhooksContract,
  runQueueContract,
  runStoreContract,
  type MakeStore,
} from '../src/contract/index.js';
import { createScratchDatabase, emptyDatabase, openPostgresStore } from '../src/postgres/index.js';

// One database for the run (dropped at the end), emptied before each test: as fresh as a new
// database, without a DROP DATABASE per test. Fails the file, never skips it, with a message that
// says how to start PostgreSQL when it is down.
const database = await createScratchDatabase();
after(() => database.drop());
await openPostgresStore({
  url: database.url,
  clock: new ManualClock(),
  encryptionKey: new Uint8Array(32),
}).then((migrated) => migrated.close());

/** Every row of every table, ours and pg-boss's, as text: what a dump of the database would hold. */
async function dumpRows(url: string): Promise<Uint8Array> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `select format('%I.%I', table_schema, table_name) as name from information_schema.tables
       where table_schema in ('public', 'pgboss') and table_type = 'BASE TABLE'`,
    );
    const parts: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`select t::text as row from ${name} t`);
      parts.push(...rows.rows.map((r) => r.row));
    }
    return Buffer.from(parts.join('\n'));
  } finally {
    await client.end();
  }
}

/** Each test gets the emptied database, opened by the production opener. */
const makeStore: MakeStore = async ({ clock, encryptionKey }) => {
  await emptyDatabase(database.url);
  const first = await openPostgresStore({ url: database.url, clock, encryptionKey, poolSize: 5 });
  return {
    ...first,
    openAnother: (options) => openPostgresStore({ url: database.url, poolSize: 5, ...options }),
    rawContents: () => dumpRows(database.url),
  };
};

runStoreContract('PostgreSQL', makeStore);
runQueueContract('PostgreSQL', makeStore);
runAccountIndexContract('PostgreSQL', makeStore);
runApiKeysWebhooksContract('PostgreSQL', makeStore);
