import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { accountIndexSource } from '../src/account-index.js';
import { startEmulatorProcess, type EmulatorProcess } from './harness.js';
import { pullWorld } from './pull-harness.js';

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

describe('local Account index (X2)', () => {
  test('X2 the index is loaded on connect and matches by registrable website domain and by exact name', async (t) => {
    const w = await pullWorld(t, emu);
    const acme = await w.createAsPerson('Account', {
      Name: 'Acme Inc',
      Website: 'https://www.acme.com/about',
    });
    const globex = await w.createAsPerson('Account', { Name: 'Globex', Website: 'globex.io' });
    await w.createAsPerson('Account', { Name: 'Unrelated', Website: 'initech.com' });
    assert.equal(await w.store.workspace(w.workspaceId).accountIndex.count(w.org.orgId), 0);
    await w.lifecycle.connect(w.workspaceId, {
      orgId: w.org.orgId,
      instanceUrl: w.org.instanceUrl,
      loginUrl: w.org.loginUrl,
      credentials: { flow: 'token', instanceUrl: w.org.instanceUrl, accessToken: w.org.accessToken },
      integrationUserId: null,
    });
    assert.equal(await w.store.workspace(w.workspaceId).accountIndex.count(w.org.orgId), 3);
    const byDomain = await w.accountIndex.candidates(w.workspaceId, [
      { name: 'Something else', website: 'http://shop.ACME.com/x' },
    ]);
    assert.deepEqual(
      byDomain.map((a) => a.Id),
      [acme],
    );
    const byName = await w.accountIndex.candidates(w.workspaceId, [{ name: ' globex ', website: null }]);
    assert.deepEqual(
      byName.map((a) => a.Id),
      [globex],
    );
    assert.deepEqual(
      await w.accountIndex.candidates(w.workspaceId, [{ name: 'Nobody', website: 'nobody.org' }]),
      [],
    );
    // The Salesforce side agrees: three Accounts.
    assert.equal((await w.soql('SELECT Id FROM Account')).length, 3);
  });

  test('X2 the index is kept current by its cursor: created and edited Accounts are found after the next pull, with one call when nothing changed', async (t) => {
    const w = await pullWorld(t, emu, {
      settings: { pull: { pullRecords: { accounts: false, contacts: false, leads: false } } },
    });
    const globex = await w.createAsPerson('Account', { Name: 'Globex', Website: 'globex.io' });
    await w.accountIndex.load(w.workspaceId);
    const initech = await w.createAsPerson('Account', { Name: 'Initech', Website: 'www.initech.com' });
    await w.updateAsPerson('Account', globex, { Website: 'https://globex.com' });
    await w.pull();
    const source = accountIndexSource(w.accountIndex, w.workspaceId);
    assert.deepEqual(
      (await source.find([{ name: 'x', website: 'initech.com' }])).map((a) => a.Id),
      [initech],
    );
    assert.deepEqual(
      (await source.find([{ name: 'x', website: 'globex.com' }])).map((a) => a.Id),
      [globex],
    );
    assert.deepEqual(
      await source.find([{ name: 'x', website: 'globex.io' }]),
      [],
      'the old website no longer matches',
    );
    const before = (await w.requests()).total;
    assert.deepEqual(await w.accountIndex.refresh(w.workspaceId), { orgId: w.org.orgId, changed: 0 });
    assert.equal((await w.requests()).total - before, 1, 'one query when nothing changed');
    source.remember([
      {
        Id: '001000000000099AAA',
        Name: 'Fresh',
        Website: 'fresh.dev',
        CreatedDate: '2026-01-01T00:00:00.000+0000',
        LastModifiedDate: '2026-01-01T00:00:00.000+0000',
      },
    ]);
    assert.deepEqual(
      (await source.find([{ name: 'fresh', website: null }])).map((a) => a.Id),
      ['001000000000099AAA'],
    );
    // Remembered into the store's index, not held by the source: another run's source finds it too.
    assert.deepEqual(
      (
        await accountIndexSource(w.accountIndex, w.workspaceId).find([
          { name: 'x', website: 'https://fresh.dev' },
        ])
      ).map((a) => a.Id),
      ['001000000000099AAA'],
    );
    assert.equal(await w.store.workspace(w.workspaceId).accountIndex.count(w.org.orgId), 3);
  });
});
