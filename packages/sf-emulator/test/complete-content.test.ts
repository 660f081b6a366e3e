// More of the org through jsforce: ContentNote with ContentDocumentLink, TaskRelation for shared
// activities, and simple SOSL on /search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, emulatorFor, freshOrg, raw, rejection } from './helpers.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

test('ContentNote, ContentDocumentLink, TaskRelation and SOSL', async (t) => {
  const emulator = await emulatorFor(t);

  await t.test(
    'a ContentNote stores base64 Content, answers it on retrieve as a blob URL, and is SNOTE with a text preview',
    async () => {
      const { org, conn } = freshOrg(emulator);
      const body = '<p>Met <b>Pat</b> &amp; agreed next steps.</p>';
      const note = await conn.sobject('ContentNote').create({ Title: 'Kick-off', Content: b64(body) });
      assert.equal(note.success, true);
      assert.match(note.id!, /^069/);

      const record = await conn.sobject('ContentNote').retrieve(note.id!);
      const blobUrl = `/services/data/v${API_VERSION}/sobjects/ContentNote/${note.id}/Content`;
      assert.equal(record['Content'], blobUrl);
      assert.equal(record['FileType'], 'SNOTE');
      assert.equal(record['TextPreview'], 'Met Pat & agreed next steps.');
      assert.equal(record['ContentSize'], Buffer.byteLength(body));
      const blob = await raw(emulator, org, 'GET', blobUrl);
      assert.equal(blob.status, 200);
      assert.equal(blob.text, body);

      await conn
        .sobject('ContentNote')
        .update({ Id: note.id!, Title: 'Kick-off (edited)', Content: b64('Second version') });
      const edited = await conn.query<Record<string, unknown>>(
        `SELECT Title, TextPreview FROM ContentNote WHERE Id = '${note.id}'`,
      );
      assert.deepEqual(
        [edited.records[0]!['Title'], edited.records[0]!['TextPreview']],
        ['Kick-off (edited)', 'Second version'],
      );
      const readOnly = await rejection(() =>
        conn.sobject('ContentNote').update({ Id: note.id!, FileType: 'PDF' }),
      );
      assert.equal(readOnly.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
      const missingTitle = await rejection(() => conn.sobject('ContentNote').create({ Content: b64('x') }));
      assert.equal(missingTitle.errorCode, 'REQUIRED_FIELD_MISSING');

      await conn.sobject('ContentNote').destroy(note.id!);
      assert.equal((await conn.query('SELECT Id FROM ContentNote')).totalSize, 0);
    },
  );

  await t.test(
    'ContentDocumentLink ties a note to records, defaults ShareType and Visibility, and goes with the note or the record',
    async () => {
      const { conn } = freshOrg(emulator);
      const contact = await conn.sobject('Contact').create({ LastName: 'Pat' });
      const account = await conn.sobject('Account').create({ Name: 'Acme' });
      const note = await conn
        .sobject('ContentNote')
        .create({ Title: 'Call notes', Content: b64('Called Pat') });
      const link = await conn.sobject('ContentDocumentLink').create({
        ContentDocumentId: note.id,
        LinkedEntityId: contact.id,
        ShareType: 'V',
        Visibility: 'AllUsers',
      });
      assert.match(link.id!, /^06A/);
      await conn
        .sobject('ContentDocumentLink')
        .create({ ContentDocumentId: note.id, LinkedEntityId: account.id });

      const links = await conn.query<Record<string, unknown>>(
        `SELECT LinkedEntityId, ShareType, Visibility, ContentDocument.Title FROM ContentDocumentLink WHERE ContentDocumentId = '${note.id}' ORDER BY ShareType`,
      );
      assert.equal(links.totalSize, 2);
      for (const row of links.records) {
        assert.equal(row['ShareType'], 'V');
        assert.equal(row['Visibility'], 'AllUsers');
        assert.equal((row['ContentDocument'] as Record<string, unknown>)['Title'], 'Call notes');
      }
      const bad = await rejection(() =>
        conn
          .sobject('ContentDocumentLink')
          .create({ ContentDocumentId: note.id, LinkedEntityId: contact.id, ShareType: 'Z' }),
      );
      assert.equal(bad.errorCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
      const wrongTarget = await rejection(() =>
        conn
          .sobject('ContentDocumentLink')
          .create({ ContentDocumentId: contact.id, LinkedEntityId: account.id }),
      );
      assert.equal(wrongTarget.errorCode, 'FIELD_INTEGRITY_EXCEPTION');

      await conn.sobject('Contact').destroy(contact.id!);
      assert.equal(
        (await conn.query(`SELECT Id FROM ContentDocumentLink WHERE ContentDocumentId = '${note.id}'`))
          .totalSize,
        1,
        "the contact's link went with it",
      );
      await conn.sobject('ContentNote').destroy(note.id!);
      assert.equal(
        (await conn.query('SELECT Id FROM ContentDocumentLink')).totalSize,
        0,
        'and the rest with the note',
      );
    },
  );

  await t.test(
    'TaskRelation shares a task with more people and records; IsWhat tells them apart; relations follow the task',
    async () => {
      const { conn } = freshOrg(emulator);
      const [pat, sam] = (await conn
        .sobject('Contact')
        .create([{ LastName: 'Pat' }, { LastName: 'Sam' }])) as Array<{ id: string }>;
      const account = await conn.sobject('Account').create({ Name: 'Acme' });
      const task = await conn.sobject('Task').create({ Subject: 'Group call', WhoId: pat!.id });
      const samRelation = await conn.sobject('TaskRelation').create({ TaskId: task.id, RelationId: sam!.id });
      await conn.sobject('TaskRelation').create({ TaskId: task.id, RelationId: account.id });
      const relations = await conn.query<{ RelationId: string; IsWhat: boolean }>(
        `SELECT RelationId, IsWhat FROM TaskRelation WHERE TaskId = '${task.id}'`,
      );
      assert.deepEqual(
        relations.records.map((r) => [r.RelationId, r.IsWhat]).sort(),
        [
          [sam!.id, false],
          [account.id, true],
        ].sort(),
      );
      const notUpdatable = await rejection(() =>
        conn.sobject('TaskRelation').update({ Id: samRelation.id!, RelationId: pat!.id }),
      );
      assert.equal(notUpdatable.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
      await conn.sobject('Task').destroy(task.id!);
      assert.equal((await conn.query('SELECT Id FROM TaskRelation')).totalSize, 0);
    },
  );

  await t.test(
    'SOSL finds whole words in the chosen fields and answers searchRecords with the requested fields',
    async () => {
      const { conn } = freshOrg(emulator);
      await conn.sobject('Contact').create([
        { FirstName: 'Pat', LastName: 'Acme-Jones', Email: 'pat@globex.example' },
        { FirstName: 'Sam', LastName: 'Smith', Email: 'sam@acme.example', Title: 'Buyer' },
        { FirstName: 'Ann', LastName: 'Acmeson' },
      ]);
      await conn.sobject('Lead').create({ LastName: 'Lee', Company: 'Acme Corp' });

      type Found = { searchRecords: Array<Record<string, unknown>> };
      const all = (await conn.search(
        'FIND {acme} IN ALL FIELDS RETURNING Contact(Id, Name), Lead(Company)',
      )) as unknown as Found;
      assert.deepEqual(
        all.searchRecords.map((r) => [(r['attributes'] as { type: string }).type, r['Name'] ?? r['Company']]),
        [
          ['Contact', 'Pat Acme-Jones'],
          ['Contact', 'Sam Smith'],
          ['Lead', 'Acme Corp'],
        ],
      );
      assert.deepEqual(Object.keys(all.searchRecords[0]!), ['attributes', 'Id', 'Name']);

      const names = (await conn.search(
        'FIND {acme} IN NAME FIELDS RETURNING Contact(Name)',
      )) as unknown as Found;
      assert.deepEqual(
        names.searchRecords.map((r) => r['Name']),
        ['Pat Acme-Jones'],
      );
      const emails = (await conn.search(
        'FIND {sam@acme.example} IN EMAIL FIELDS RETURNING Contact(Email)',
      )) as unknown as Found;
      assert.deepEqual(
        emails.searchRecords.map((r) => r['Email']),
        ['sam@acme.example'],
      );
      const wildcard = (await conn.search(
        'FIND {acme*} IN NAME FIELDS RETURNING Contact(LastName) LIMIT 5',
      )) as unknown as Found;
      assert.deepEqual(wildcard.searchRecords.map((r) => r['LastName']).sort(), ['Acme-Jones', 'Acmeson']);
      const limited = (await conn.search('FIND {acme*} RETURNING Contact LIMIT 1')) as unknown as Found;
      assert.equal(limited.searchRecords.length, 1);
      assert.deepEqual(Object.keys(limited.searchRecords[0]!), ['attributes', 'Id']);
    },
  );

  await t.test(
    'SOSL the emulator does not support answers 400 MALFORMED_SEARCH naming the part; unknown objects and fields answer their own codes',
    async () => {
      const { conn } = freshOrg(emulator);
      const snippet = await rejection(() => conn.search('FIND {acme} RETURNING Contact(Id) WITH SNIPPET'));
      assert.equal(snippet.errorCode, 'MALFORMED_SEARCH');
      assert.match(snippet.message, /WITH SNIPPET/);
      const sidebar = await rejection(() => conn.search('FIND {acme} IN SIDEBAR FIELDS RETURNING Contact'));
      assert.match(sidebar.message, /IN SIDEBAR FIELDS/);
      const quoted = await rejection(() => conn.search("FIND 'acme' RETURNING Contact"));
      assert.equal(quoted.errorCode, 'MALFORMED_SEARCH');
      const short = await rejection(() => conn.search('FIND {a} RETURNING Contact'));
      assert.match(short.message, /longer than one character/);
      assert.equal(
        (await rejection(() => conn.search('FIND {acme} RETURNING Widget__c(Id)'))).errorCode,
        'INVALID_TYPE',
      );
      assert.equal(
        (await rejection(() => conn.search('FIND {acme} RETURNING Contact(Nope)'))).errorCode,
        'INVALID_FIELD',
      );
    },
  );
});
