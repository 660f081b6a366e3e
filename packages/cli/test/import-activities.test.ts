import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, cliSandbox } from './cli-harness.js';

// `crmsync import` of activities (CSV and NDJSON) as a user runs it: the real command in child
// processes, SQLite under a temp DATA_DIR, the embedded emulator. Bad rows are reported with their
// number and the field; good rows are kept, pushed by `sync --until-idle`, and a re-import
// duplicates nothing in Salesforce (E12).

test('E6, E9, E12: crmsync import emails (NDJSON), calls and deals (CSV) reports bad rows with their field, keeps the rest, and a re-import logs each activity once', async (t) => {
  const { dir, port, env } = await cliSandbox(t, 'crmsync-cli-activities-');
  assert.equal(
    (await cli(env, 'workspace', 'create', 'acme', '--name', 'Acme', '--mailbox-domains', 'acme.test')).code,
    0,
  );
  const connected = await cli(env, 'connect', '--emulator');
  assert.equal(connected.code, 0, connected.stderr);
  const orgId = /org (00D\w{15})/.exec(connected.stdout)![1]!;
  assert.equal((await cli(env, 'start-syncing-now')).code, 0);
  const settings = join(dir, 'settings.json');
  writeFileSync(
    settings,
    JSON.stringify({
      version: 2,
      lifecycle: { configurationWindowHours: 0 },
      contacts: { pushContacts: true },
      activities: {
        emails: { pushEmails: true, kinds: { outgoingSentThroughApp: true } },
        calls: { pushCalls: true },
      },
    }),
  );
  const saved = await cli(env, 'settings', 'set', settings);
  assert.equal(saved.code, 0, saved.stderr + saved.stdout);
  const people = join(dir, 'people.csv');
  writeFileSync(people, 'Id,Last Name,Email\np1,Lovelace,ada@customer.test\n');
  assert.equal((await cli(env, 'import', 'people', people)).code, 0);

  const emails = join(dir, 'emails.ndjson');
  const sentAt = '2026-11-20T10:00:00Z';
  writeFileSync(
    emails,
    [
      JSON.stringify({
        id: 'e1',
        messageId: '<e1@acme.test>',
        direction: 'outgoing',
        sentThroughApp: true,
        from: 'rep@acme.test',
        to: ['ada@customer.test'],
        subject: 'Hello Ada',
        sentAt,
      }),
      JSON.stringify({
        id: 'e2',
        messageId: '<e2@acme.test>',
        direction: 'outgoing',
        from: 'rep@acme.test',
        to: [],
        subject: 'Nobody',
        sentAt,
      }),
      '{not json',
    ].join('\n'),
  );
  const calls = join(dir, 'calls.csv');
  writeFileSync(
    calls,
    [
      'id,personId,direction,durationSeconds,outcome,calledAt',
      `c1,p1,outbound,90,Connected,${sentAt}`,
      `c2,p1,inbound,-4,Voicemail,${sentAt}`,
    ].join('\n'),
  );

  const importedEmails = await cli(env, 'import', 'emails', emails);
  assert.equal(importedEmails.code, 1, importedEmails.stderr);
  assert.match(importedEmails.stdout, /row 2: error: Email e2 .*to: an email needs at least one recipient/);
  assert.match(importedEmails.stdout, /row 3: error: is not valid JSON/);
  assert.match(importedEmails.stdout, /Imported 1 of 3 emails rows \(1 queued for push, 2 failed\)/);
  const importedCalls = await cli(env, 'import', 'calls', calls);
  assert.equal(importedCalls.code, 1);
  assert.match(importedCalls.stdout, /row 3: error: Call c2 .*durationSeconds: must not be negative/);

  // Deals go through the engine's ingest like people: a bad row is named with its field.
  const deals = join(dir, 'deals.csv');
  writeFileSync(
    deals,
    ['id,name,stage,amount', 'd1,Big deal,Prospecting,"1,000"', 'd2,No stage,,5'].join('\n'),
  );
  const importedDeals = await cli(env, 'import', 'deals', deals);
  assert.equal(importedDeals.code, 1, importedDeals.stderr);
  assert.match(importedDeals.stdout, /row 3: error: Deal d2 .*stage/);
  assert.match(importedDeals.stdout, /Imported 1 of 2 deals rows/);

  const sync = await cli(env, 'sync', '--until-idle');
  assert.equal(sync.code, 0, sync.stderr + sync.stdout);
  // A second import of the same files, then a second sync: still one Task each (updated, not doubled).
  await cli(env, 'import', 'emails', emails);
  await cli(env, 'import', 'calls', calls);
  assert.equal((await cli(env, 'sync', '--until-idle')).code, 0);

  const orgs = (await (await fetch(`http://127.0.0.1:${port}/__emulator/orgs`)).json()) as Array<{
    orgId: string;
    accessToken: string;
  }>;
  const org = orgs.find((o) => o.orgId === orgId)!;
  const res = await fetch(
    `http://127.0.0.1:${port}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Subject, TaskSubtype FROM Task ORDER BY Subject')}`,
    { headers: { authorization: `Bearer ${org.accessToken}` } },
  );
  const tasks = ((await res.json()) as { records: { Subject: string; TaskSubtype: string }[] }).records;
  assert.deepEqual(
    tasks.map((r) => [r.Subject, r.TaskSubtype]),
    [
      ['Call: Connected with Lovelace', 'Call'],
      ['Email: Hello Ada', 'Email'],
    ],
  );
});
