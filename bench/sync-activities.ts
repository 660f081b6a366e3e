// Activities: 100,000 emails and 20,000 calls for people already linked to Contacts, ingested,
// then pushed by `crmsync sync --until-idle` (the real CLI, in its own process, production engine
// options) against the emulator in its own process with --latency-ms 100. apiCalls come from the
// emulator's request counter; the Tasks are checked by a Bulk query at the end (each activity
// exactly once). Target (issue 6): at most 6 API calls per 1,000 activities.
// Run alone: npx tsx bench/sync-activities.ts
//   (BENCH_ACTIVITY_EMAILS=100000, BENCH_ACTIVITY_CALLS=20000, BENCH_ACTIVITY_PEOPLE=5000)
import { Connection } from 'jsforce';
import { pathToFileURL } from 'node:url';
import { Person } from '@crmsync/core';
import {
  benchWorkspace,
  reportEndpoints,
  runCli,
  startBenchEmulator,
  type BenchEmulator,
  type BenchOrg,
  type RequestTally,
} from './sync-backfill.js';

type Row = Record<string, number | string | boolean | null>;

const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
};

/** An org with `Crmsync_Id__c` on the people objects and on Task (X4 upserts), and `people` Contacts. */
async function activityOrg(emu: BenchEmulator, people: number): Promise<BenchOrg> {
  const field = { name: 'Crmsync_Id__c', type: 'string', length: 255, externalId: true, unique: true };
  const extend = Object.fromEntries(
    ['Contact', 'Lead', 'Account', 'Task'].map((o) => [o, { fields: [field], validationRules: [] }]),
  );
  const seed = {
    Contact: Array.from({ length: people }, (_, i) => ({
      LastName: `Person ${i}`,
      Email: `person${i}@buyer.bench`,
    })),
  };
  const res = await fetch(`${emu.url}/__emulator/orgs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ schema: { objects: [], extend }, dailyApiLimit: 10_000_000, seed }),
  });
  if (!res.ok) throw new Error(`creating the org: ${res.status} ${await res.text()}`);
  return (await res.json()) as BenchOrg;
}

/** The org's request counter (the org is not made by createBenchOrg, so its own lookup). */
async function requests(emu: BenchEmulator, org: BenchOrg): Promise<RequestTally> {
  const url = `${emu.url}/__emulator/orgs/${org.orgId}/requests`;
  // After a long ingest the pooled socket may be gone: one fresh try.
  const res = await fetch(url).catch(() => fetch(url));
  if (!res.ok) throw new Error(`request counter: ${res.status} ${await res.text()}`);
  return (await res.json()) as RequestTally;
}

async function bulkRows(org: BenchOrg, soql: string): Promise<Record<string, string>[]> {
  const conn = new Connection({
    instanceUrl: org.instanceUrl,
    accessToken: org.accessToken,
    version: '62.0',
  });
  return (await conn.bulk2
    .query(soql, { pollInterval: 200, pollTimeout: 600_000 })
    .then((r) => r.toArray())) as Record<string, string>[];
}

async function activities(emu: BenchEmulator, emails: number, calls: number, people: number): Promise<Row> {
  const org = await activityOrg(emu, people);
  const ws = await benchWorkspace(org, {
    activities: {
      emails: { pushEmails: true, kinds: { outgoingSentThroughApp: true, incomingOther: true } },
      calls: { pushCalls: true },
    },
  });
  try {
    await ws.opened.store.workspaces.update({
      ...(await ws.opened.store.workspaces.get(ws.workspaceId))!,
      mailboxDomains: ['team.bench'],
    });
    // Existing people: linked to their Contacts already (as a pull or an earlier push leaves them).
    const contacts = await bulkRows(org, 'SELECT Id, Email FROM Contact');
    await ws.opened.store.transaction(ws.workspaceId, async (tx) => {
      for (const c of contacts) {
        const local = c.Email!.split('@')[0]!;
        const id = `p-${local}`;
        await tx.records.upsert(
          'person',
          Person.parse({
            id,
            workspaceId: ws.workspaceId,
            lastName: `Person ${local.slice('person'.length)}`,
            email: c.Email,
            emailStatus: 'verified',
          }),
        );
        await tx.links.put({
          localType: 'person',
          localId: id,
          orgId: org.orgId,
          sfObject: 'Contact',
          sfId: c.Id!,
          snapshot: {},
        });
      }
    });
    const ingestStarted = performance.now();
    const at = '2026-11-20T10:00:00Z';
    for (let start = 0; start < emails + calls; start += 2_000) {
      const changes = Array.from({ length: Math.min(2_000, emails + calls - start) }, (_, j) => {
        const i = start + j;
        const p = i % people;
        if (i < emails)
          return {
            type: 'email' as const,
            op: 'upsert' as const,
            data: {
              id: `e${i}`,
              messageId: `<e${i}@mail.team.bench>`,
              direction: i % 2 === 0 ? 'outgoing' : 'incoming',
              sentThroughApp: i % 2 === 0,
              from: i % 2 === 0 ? 'rep@team.bench' : `person${p}@buyer.bench`,
              to: [i % 2 === 0 ? `person${p}@buyer.bench` : 'rep@team.bench'],
              subject: `Bench email ${i}`,
              body: `Body ${i}`,
              sentAt: at,
            },
          };
        return {
          type: 'call' as const,
          op: 'upsert' as const,
          data: {
            id: `c${i}`,
            personId: `p-person${p}`,
            direction: 'outbound',
            durationSeconds: 60 + (i % 600),
            outcome: `Bench call ${i}`,
            calledAt: at,
          },
        };
      });
      const results = await ws.engine.ingestActivities(ws.workspaceId, changes, { chunkSize: 2_000 });
      const bad = results.find((r) => !r.ok);
      if (bad !== undefined) throw new Error(`ingest refused: ${JSON.stringify(bad)}`);
    }
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    await ws.opened.close();

    const before = await requests(emu, org);
    const run = await runCli(ws.dataDir, ['sync', '--until-idle', '--workspace', ws.workspaceId]);
    if (run.code !== 0) throw new Error(`sync exited ${run.code}: ${run.stderr.slice(-2_000)}`);
    const after = await requests(emu, org);
    const n = emails + calls;
    reportEndpoints(`activities-${n}`, before, after);

    const tasks = await bulkRows(org, 'SELECT Id, Subject FROM Task');
    const seen = new Map<string, number>();
    for (const t of tasks) seen.set(t.Subject!, (seen.get(t.Subject!) ?? 0) + 1);
    let missing = 0;
    let twice = 0;
    const expect = (subject: string) => {
      const k = seen.get(subject) ?? 0;
      if (k === 0) missing++;
      if (k > 1) twice++;
    };
    for (let i = 0; i < emails; i++) expect(`Email: Bench email ${i}`);
    for (let i = emails; i < n; i++) expect(`Call: Bench call ${i} with Person ${i % people}`);
    const verified = missing === 0 && twice === 0 && tasks.length === n;
    if (!verified)
      console.error(`activities ${n}: ${tasks.length} Tasks; ${missing} missing, ${twice} duplicated`);
    const apiCalls = after.counted - before.counted;
    return {
      scenario: `activities-${emails}-emails-${calls}-calls`,
      records: n,
      apiCalls,
      httpRequests: after.total - before.total,
      apiCallsPer1000: Number(((apiCalls / n) * 1000).toFixed(2)),
      recordsPerSecond: Number((n / run.seconds).toFixed(1)),
      p95LatencyMs: null,
      peakRssMb: run.peakRssMb,
      seconds: Number(run.seconds.toFixed(1)),
      ingestSeconds: Number(ingestSeconds.toFixed(1)),
      verified,
    };
  } finally {
    await ws.close().catch(() => undefined);
  }
}

export async function run(): Promise<Row[]> {
  const emu = await startBenchEmulator();
  try {
    return [
      await activities(
        emu,
        num('BENCH_ACTIVITY_EMAILS', 100_000),
        num('BENCH_ACTIVITY_CALLS', 20_000),
        num('BENCH_ACTIVITY_PEOPLE', 5_000),
      ),
    ];
  } finally {
    await emu.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
