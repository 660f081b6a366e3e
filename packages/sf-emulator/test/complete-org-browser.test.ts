// The org browser in a real browser: Debian's chromium driven by playwright-core, elements found
// by role and accessible name, a screenshot kept under test-artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { emulatorFor, freshOrg, raw } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url).pathname;

test('org browser', async (t) => {
  const emulator = await emulatorFor(t);
  const { org, conn } = freshOrg(emulator, { name: 'Browser Org' });
  const account = await conn.sobject('Account').create({ Name: 'Acme & <Sons>', BillingCity: 'Oslo' });
  const contact = await conn
    .sobject('Contact')
    .create({ FirstName: 'Pat', LastName: 'Lee', Email: 'pat@acme.example', AccountId: account.id });
  const gone = await conn.sobject('Contact').create({ LastName: 'Gone' });
  await conn.sobject('Contact').destroy(gone.id!);

  await t.test('is read-only and escapes what records contain', async () => {
    const post = await fetch(`${emulator.url}/__emulator/ui/orgs/${org.orgId}`, { method: 'POST' });
    assert.equal(post.status, 405);
    const page = await raw(emulator, org, 'GET', `/__emulator/ui/orgs/${org.orgId}/records/${account.id}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.text, /Acme &amp; &lt;Sons&gt;/);
    assert.doesNotMatch(page.text, /<Sons>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal((await fetch(`${emulator.url}/__emulator/ui/orgs/nope`)).status, 404);
  });

  await t.test(
    'a person follows orgs -> objects -> records -> fields by role and accessible name',
    async (t2) => {
      const userDataDir = await mkdtemp(join(tmpdir(), 'sf-emulator-chromium-'));
      const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
      });
      t2.after(async () => {
        await context.close();
        await rm(userDataDir, { recursive: true, force: true });
      });
      const page = context.pages()[0] ?? (await context.newPage());

      await page.goto(`${emulator.url}/__emulator/ui`);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Orgs');
      await page.getByRole('table', { name: /Orgs hosted by this emulator/ }).waitFor();
      await page.getByRole('link', { name: 'Browser Org', exact: true }).click();

      await page.getByRole('heading', { level: 1, name: 'Browser Org' }).waitFor();
      const objects = page.getByRole('table', { name: 'Objects in Browser Org' });
      const contactsRow = objects.getByRole('row', { name: /^Contacts Contact / });
      assert.deepEqual(
        await contactsRow.getByRole('cell').allTextContents(),
        ['Contact', '1', '1'],
        'one live contact, one in the recycle bin',
      );
      await objects.getByRole('link', { name: 'Accounts', exact: true }).click();

      await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
      await page
        .getByRole('table', { name: /^Accounts \(1\)/ })
        .getByRole('link', { name: 'Acme & <Sons>' })
        .click();

      await page.getByRole('heading', { level: 1, name: 'Account: Acme & <Sons>' }).waitFor();
      const fields = page.getByRole('table', { name: 'Fields of Account Acme & <Sons>' });
      assert.deepEqual(
        await fields
          .getByRole('row', { name: /^Billing City / })
          .getByRole('cell')
          .allTextContents(),
        ['BillingCity', 'Oslo'],
      );
      const breadcrumb = page.getByRole('navigation', { name: 'Breadcrumb' });
      await breadcrumb.getByRole('link', { name: 'Browser Org' }).click();
      await page.getByRole('link', { name: 'Contacts', exact: true }).click();
      await page.getByRole('link', { name: 'Pat Lee' }).click();
      const contactFields = page.getByRole('table', { name: 'Fields of Contact Pat Lee' });
      assert.deepEqual(
        await contactFields
          .getByRole('row', { name: /^Email Email / })
          .getByRole('cell')
          .allTextContents(),
        ['Email', 'pat@acme.example'],
      );
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'sf-emulator-org-browser.png'), fullPage: true });

      // The contact's account is a link to the account's own page.
      await contactFields.getByRole('link', { name: 'Acme & <Sons>' }).click();
      await page.getByRole('heading', { level: 1, name: 'Account: Acme & <Sons>' }).waitFor();
      assert.ok(page.url().endsWith(`/records/${account.id}`));
      assert.equal(await page.locator('script').count(), 0);

      await page.goto(`${emulator.url}/__emulator/ui/orgs/${org.orgId}/objects/Contact?deleted=1`);
      await page.getByRole('heading', { level: 1, name: 'Contacts in the recycle bin' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Gone' }).count(), 1);
      assert.ok(contact.id);
    },
  );
});
