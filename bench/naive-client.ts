// The naive client the sync engine is measured against: sequential jsforce, one person at a time
// (find the Contact by email, find the Account by name and create it if missing, create the
// Contact). Run on a sample in the same bench run, against the same emulator (same latency).
import { Connection } from 'jsforce';
import { emulatorRequests, type BenchOrg } from './sync-backfill.js';

export interface NaiveFigures {
  records: number;
  apiCalls: number;
  apiCallsPer1000: number;
  recordsPerSecond: number;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Pushes `people` naively into `org`; figures from the emulator's request counter. */
export async function runNaive(
  org: BenchOrg,
  people: readonly { email: string; lastName: string; company: string }[],
): Promise<NaiveFigures> {
  const conn = new Connection({
    instanceUrl: org.instanceUrl,
    accessToken: org.accessToken,
    version: '62.0',
  });
  const before = await emulatorRequests(org);
  const started = performance.now();
  for (const p of people) {
    const found = await conn.query<{ Id: string }>(
      `SELECT Id FROM Contact WHERE Email = ${quote(p.email)} LIMIT 1`,
    );
    if (found.records.length > 0) continue;
    const account = await conn.query<{ Id: string }>(
      `SELECT Id FROM Account WHERE Name = ${quote(p.company)} LIMIT 1`,
    );
    let accountId = account.records[0]?.Id;
    if (accountId === undefined) {
      const created = await conn.sobject('Account').create({ Name: p.company });
      if (!created.success) throw new Error(`naive client: Account ${p.company} refused`);
      accountId = created.id;
    }
    const contact = await conn
      .sobject('Contact')
      .create({ LastName: p.lastName, Email: p.email, AccountId: accountId });
    if (!contact.success) throw new Error(`naive client: Contact ${p.email} refused`);
  }
  const seconds = (performance.now() - started) / 1000;
  const apiCalls = (await emulatorRequests(org)).counted - before.counted;
  return {
    records: people.length,
    apiCalls,
    apiCallsPer1000: Math.round((apiCalls / people.length) * 1000),
    recordsPerSecond: Number((people.length / seconds).toFixed(2)),
  };
}
