// The partner SOAP API through jsforce's own SOAP client: login, merge (master + up to two) and
// convertLead, checked afterwards through SOQL and queryAll as a sync client would see them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { API_VERSION, emulatorFor, freshOrg, rejection } from './helpers.js';

interface MergeResultShape {
  id: string | null;
  success: boolean;
  mergedRecordIds: string[];
  updatedRelatedIds: string[];
  errors: Array<{ statusCode: string; message: string }>;
}
interface ConvertResultShape {
  leadId: string | null;
  accountId: string | null;
  contactId: string | null;
  opportunityId: string | null;
  success: boolean;
  errors: Array<{ statusCode: string; message: string }>;
}

// jsforce's typings want full records; the wire accepts exactly these shapes.
const merge = (conn: jsforce.Connection, request: unknown) =>
  conn.soap.merge(request as never) as unknown as Promise<MergeResultShape>;
const mergeMany = (conn: jsforce.Connection, requests: unknown[]) =>
  conn.soap.merge(requests as never) as unknown as Promise<MergeResultShape[]>;
const convert = (conn: jsforce.Connection, request: unknown) =>
  conn.soap.convertLead(request as never) as unknown as Promise<ConvertResultShape>;

/** Record values without `attributes` (their URLs carry org-specific ids), at any depth. */
function withoutAttributes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutAttributes);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'attributes')
        .map(([k, v]) => [k, withoutAttributes(v)]),
    );
  return value;
}

test('SOAP API conformance', async (t) => {
  const emulator = await emulatorFor(t);

  await t.test(
    'login answers an opaque session that REST and SOAP accept; a wrong password is an INVALID_LOGIN fault',
    async () => {
      const { org } = freshOrg(emulator);
      const conn = new jsforce.Connection({ loginUrl: emulator.url, version: API_VERSION });
      const userInfo = await conn.login(org.username, org.password);
      assert.equal(userInfo.organizationId, org.orgId);
      assert.equal(userInfo.id, org.integrationUserId);
      assert.equal(conn.instanceUrl, emulator.url);
      assert.match(conn.accessToken ?? '', new RegExp(`^${org.orgId.slice(0, 15)}!AQ`));
      const created = await conn.sobject('Account').create({ Name: 'Via SOAP session' });
      assert.equal(created.success, true);

      const raw = await fetch(`${emulator.url}/services/Soap/u/${API_VERSION}`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml', SOAPAction: '""' },
        body: `<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body><login xmlns="urn:partner.soap.sforce.com"><username>${org.username}</username><password>wrong</password></login></se:Body></se:Envelope>`,
      });
      assert.equal(raw.status, 500);
      assert.match(raw.headers.get('content-type') ?? '', /^text\/xml/);
      assert.match(await raw.text(), /<faultcode>sf:INVALID_LOGIN<\/faultcode>/);
      const err = await rejection(() =>
        new jsforce.Connection({ loginUrl: emulator.url, version: API_VERSION }).login(org.username, 'wrong'),
      );
      assert.match(err.message, /INVALID_LOGIN/);
    },
  );

  await t.test(
    'merge keeps the master, deletes both losers with MasterRecordId, re-parents their children and applies master overrides',
    async () => {
      const { org, conn } = freshOrg(emulator);
      const [master, loser1, loser2] = (await conn
        .sobject('Contact')
        .create([
          { LastName: 'Keep', Email: 'keep@example.com' },
          { LastName: 'Dup One', Email: 'one@example.com' },
          { LastName: 'Dup Two' },
        ])) as Array<{ id: string; success: boolean }>;
      const task = await conn.sobject('Task').create({ Subject: 'Call', WhoId: loser2!.id });
      const before = await conn.sobject('Contact').retrieve(master!.id);

      const result = await merge(conn, {
        masterRecord: { type: 'Contact', Id: master!.id, Title: 'Chief Buyer' },
        recordToMergeIds: [loser1!.id, loser2!.id],
      });
      assert.equal(result.success, true);
      assert.equal(result.id, master!.id);
      assert.deepEqual([...result.mergedRecordIds].sort(), [loser1!.id, loser2!.id].sort());
      assert.deepEqual(result.updatedRelatedIds, [task.id]);

      const merged = await conn.query<{ Id: string; MasterRecordId: string | null; IsDeleted: boolean }>(
        `SELECT Id, MasterRecordId, IsDeleted FROM Contact WHERE IsDeleted = true AND MasterRecordId != null`,
        { scanAll: true },
      );
      assert.deepEqual(
        merged.records.map((r) => [r.Id, r.MasterRecordId, r.IsDeleted]).sort(),
        [
          [loser1!.id, master!.id, true],
          [loser2!.id, master!.id, true],
        ].sort(),
      );
      const live = await conn.query<{ Id: string; Title: string }>('SELECT Id, Title FROM Contact');
      assert.deepEqual(
        live.records.map((r) => [r.Id, r.Title]),
        [[master!.id, 'Chief Buyer']],
      );
      const moved = await conn.query<{ WhoId: string }>(`SELECT WhoId FROM Task WHERE Id = '${task.id}'`);
      assert.equal(moved.records[0]!.WhoId, master!.id);
      const after = await conn.sobject('Contact').retrieve(master!.id);
      assert.ok(
        String(after['SystemModstamp']) > String(before['SystemModstamp']),
        'the master SystemModstamp moves on',
      );
      assert.equal(emulator.control.writes(org.orgId, [loser1!.id]).records[loser1!.id]?.merge, 1);
      assert.equal(
        emulator.control.requests(org.orgId).byEndpoint['POST /services/Soap/u/{version} merge'],
        1,
      );
    },
  );

  await t.test('SOAP merge has the same effects as the control API merge', async () => {
    const seed = {
      Account: [
        { _ref: 'a', Name: 'Acme' },
        { _ref: 'b', Name: 'Acme Inc' },
      ],
      Opportunity: [{ Name: 'Deal', StageName: 'Prospecting', CloseDate: '2026-01-31', AccountId: '@b' }],
    };
    const shapes: unknown[] = [];
    for (const via of ['soap', 'control'] as const) {
      const { org, conn } = freshOrg(emulator, { seed });
      const accounts = await conn.query<{ Id: string; Name: string }>(
        'SELECT Id, Name FROM Account ORDER BY Name',
      );
      const [keep, lose] = accounts.records;
      if (via === 'soap')
        assert.equal(
          (
            await merge(conn, {
              masterRecord: { type: 'Account', Id: keep!.Id },
              recordToMergeIds: [lose!.Id],
            })
          ).success,
          true,
        );
      else
        assert.equal(
          emulator.control.merge(org.orgId, { object: 'Account', masterId: keep!.Id, mergeIds: [lose!.Id] })
            .success,
          true,
        );
      const all = await conn.query<Record<string, unknown>>(
        'SELECT Name, IsDeleted, MasterRecord.Name FROM Account ORDER BY Name',
        { scanAll: true },
      );
      const opps = await conn.query<Record<string, unknown>>('SELECT Name, Account.Name FROM Opportunity');
      shapes.push(withoutAttributes({ accounts: all.records, opportunities: opps.records }));
    }
    assert.deepEqual(shapes[0], shapes[1]);
  });

  await t.test(
    'merge refuses more than three records, and each request of a call succeeds or fails on its own',
    async () => {
      const { conn } = freshOrg(emulator);
      const ids = (
        (await conn
          .sobject('Lead')
          .create([1, 2, 3, 4, 5, 6].map((i) => ({ LastName: `L${i}`, Company: 'Co' })))) as Array<{
          id: string;
        }>
      ).map((r) => r.id);
      const tooMany = await merge(conn, {
        masterRecord: { type: 'Lead', Id: ids[0] },
        recordToMergeIds: [ids[1], ids[2], ids[3]],
      });
      assert.equal(tooMany.success, false);
      assert.equal(tooMany.errors[0]!.statusCode, 'INVALID_OPERATION');
      const results = await mergeMany(conn, [
        { masterRecord: { type: 'Lead', Id: ids[0] }, recordToMergeIds: [ids[1]] },
        { masterRecord: { type: 'Lead', Id: ids[4] }, recordToMergeIds: [ids[4]] },
      ]);
      assert.deepEqual(
        results.map((r) => r.success),
        [true, false],
      );
      assert.equal(results[1]!.errors[0]!.statusCode, 'INVALID_CROSS_REFERENCE_KEY');
      const count = await conn.query('SELECT Id FROM Lead');
      assert.equal(count.totalSize, 5);
    },
  );

  await t.test(
    'convertLead creates the account and contact, marks the lead converted and moves its activities',
    async () => {
      const { conn } = freshOrg(emulator);
      const lead = await conn
        .sobject('Lead')
        .create({ FirstName: 'Lena', LastName: 'Lead', Company: 'Leadco', Email: 'lena@leadco.example' });
      const task = await conn.sobject('Task').create({ Subject: 'Intro call', WhoId: lead.id });
      const result = await convert(conn, {
        leadId: lead.id,
        convertedStatus: 'Closed - Converted',
        doNotCreateOpportunity: true,
      });
      assert.equal(result.success, true);
      assert.equal(result.leadId, lead.id);
      assert.equal(result.opportunityId, null);
      assert.match(result.accountId ?? '', /^001/);
      assert.match(result.contactId ?? '', /^003/);

      const converted = await conn.query<Record<string, unknown>>(
        `SELECT IsConverted, ConvertedAccountId, ConvertedContactId, ConvertedOpportunityId, Status FROM Lead WHERE Id = '${lead.id}'`,
      );
      const row = converted.records[0]!;
      assert.deepEqual(
        [
          row['IsConverted'],
          row['ConvertedAccountId'],
          row['ConvertedContactId'],
          row['ConvertedOpportunityId'],
          row['Status'],
        ],
        [true, result.accountId, result.contactId, null, 'Closed - Converted'],
      );
      const contact = await conn.query<Record<string, unknown>>(
        `SELECT Email, AccountId, Account.Name FROM Contact WHERE Id = '${result.contactId}'`,
      );
      assert.equal(contact.records[0]!['Email'], 'lena@leadco.example');
      assert.equal((contact.records[0]!['Account'] as Record<string, unknown>)['Name'], 'Leadco');
      const moved = await conn.query<{ WhoId: string }>(`SELECT WhoId FROM Task WHERE Id = '${task.id}'`);
      assert.equal(moved.records[0]!.WhoId, result.contactId);

      const again = await convert(conn, {
        leadId: lead.id,
        convertedStatus: 'Closed - Converted',
        doNotCreateOpportunity: true,
      });
      assert.equal(again.success, false);
      assert.equal(again.errors[0]!.statusCode, 'CANNOT_UPDATE_CONVERTED_LEAD');
    },
  );

  await t.test(
    'convertLead into an existing account creates an opportunity unless told not to, and checks convertedStatus',
    async () => {
      const { conn } = freshOrg(emulator);
      const account = await conn.sobject('Account').create({ Name: 'Existing' });
      const lead = await conn.sobject('Lead').create({ LastName: 'Buyer', Company: 'Ignored' });
      const bad = await convert(conn, {
        leadId: lead.id,
        convertedStatus: 'Open - Not Contacted',
        doNotCreateOpportunity: true,
      });
      assert.equal(bad.success, false);
      assert.equal(bad.errors[0]!.statusCode, 'INVALID_STATUS');
      const result = await convert(conn, {
        leadId: lead.id,
        accountId: account.id,
        convertedStatus: 'Closed - Converted',
        doNotCreateOpportunity: false,
        opportunityName: 'First deal',
      });
      assert.equal(result.success, true);
      assert.equal(result.accountId, account.id);
      const opp = await conn.query<Record<string, unknown>>(
        `SELECT Name, AccountId FROM Opportunity WHERE Id = '${result.opportunityId}'`,
      );
      assert.deepEqual([opp.records[0]!['Name'], opp.records[0]!['AccountId']], ['First deal', account.id]);
      assert.equal((await conn.query('SELECT Id FROM Account')).totalSize, 1, 'no second account');
    },
  );

  await t.test('a call with an unknown session is an INVALID_SESSION_ID fault on HTTP 500', async () => {
    const { org } = freshOrg(emulator);
    const conn = new jsforce.Connection({
      instanceUrl: emulator.url,
      accessToken: `${org.orgId.slice(0, 15)}!AQnotARealSession`,
      version: API_VERSION,
    });
    const err = await rejection(() =>
      merge(conn, {
        masterRecord: { type: 'Contact', Id: '003000000000001AAA' },
        recordToMergeIds: ['003000000000002AAA'],
      }),
    );
    assert.match(`${err.name} ${err.message}`, /INVALID_SESSION_ID/);
    const raw = await fetch(`${emulator.url}/services/Soap/u/${API_VERSION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><SessionHeader><sessionId>nope</sessionId></SessionHeader></soapenv:Header><soapenv:Body><merge/></soapenv:Body></soapenv:Envelope>',
    });
    assert.equal(raw.status, 500);
    assert.match(await raw.text(), /<faultcode>sf:INVALID_SESSION_ID<\/faultcode>/);
  });
});
