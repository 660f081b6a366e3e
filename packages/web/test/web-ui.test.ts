import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  control,
  startEmulatorProcess,
  type EmulatorProcess,
  type OrgSummary,
} from '../../engine/test/harness.js';
import { ADMIN_KEY, json } from '../../server/test/harness.js';
import { launchBrowser, screenshot, soql, startUi } from './browser.js';

/*
 * The web UI in Debian's chromium against the real server and the emulator. Controls are found by
 * role and accessible name only, as a person using a screen reader would find them.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(async () => {
  await emu?.close();
});

const STAGES = { people: ['Cold', 'Warm', 'Hot', 'Customer'], companies: ['Prospect'], deals: ['Discovery'] };
const PEOPLE = [
  { id: 'p-ada', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@analytical.example', stage: 'Warm' },
  { id: 'p-grace', firstName: 'Grace', lastName: 'Hopper', email: 'grace@cobol.example', stage: 'Hot' },
  { id: 'p-alan', firstName: 'Alan', lastName: 'Turing', email: 'alan@enigma.example', stage: 'Cold' },
  { id: 'p-edsger', firstName: 'Edsger', lastName: 'Dijkstra', email: 'edsger@paths.example', stage: 'Cold' },
];

async function signInWithKey(page: Page, url: string, key: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function openSettings(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

test('C3, C4, C9, M1, O1, O2: an admin pushes people at two stages as leads, sees the preview, pushes three from the People list and finds them in the log and in Salesforce', async (t) => {
  const { url, api } = await startUi(t, emu);
  const key = await api.workspace('acme', { stages: STAGES });
  const org = await api.connect(key);
  for (const p of PEOPLE) {
    const { id, ...data } = p;
    const res = await api.call('POST', '/api/v1/people', {
      key,
      body: { id, ...data, emailStatus: 'verified' },
    });
    assert.equal(res.statusCode, 201, res.body);
  }
  const page = await (await launchBrowser(t)).newPage();

  // The admin key lists the workspaces; opening one signs this tab in to it.
  await signInWithKey(page, url, ADMIN_KEY);
  await page.getByRole('button', { name: 'Open Team acme' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await screenshot(page, 'overview-empty');

  await openSettings(page, 'Contacts and Leads');
  await page.getByRole('checkbox', { name: 'Push people to Salesforce' }).check();
  await page.getByRole('radio', { name: /Only people at the stages below/ }).check();
  const stages = page.getByRole('group', { name: 'People stages to push' });
  await stages.getByRole('checkbox', { name: 'Warm' }).check();
  await stages.getByRole('checkbox', { name: 'Hot' }).check();
  await page.getByRole('radio', { name: /^Leads/ }).check();
  await page.getByRole('button', { name: 'Save…' }).click();

  const preview = page.getByRole('dialog', { name: 'Preview of this change' });
  await preview.waitFor();
  // Under the new settings Ada (Warm) and Grace (Hot) would be pushed; nothing is pushed now.
  const people = preview.getByRole('row', { name: /^People/ });
  assert.deepEqual(
    (await people.getByRole('cell').allInnerTexts()).map((s) => s.trim()),
    ['0', '4', '2', '2'],
  );
  await screenshot(page, 'settings-contacts-preview');
  await preview.getByRole('button', { name: 'Save settings' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: /Settings saved \(version \d+\)/ })
    .waitFor();
  await screenshot(page, 'settings-contacts');
  const saved = json(await api.call('GET', '/api/v1/settings', { key })).settings.contacts;
  assert.equal(saved.pushContacts, true);
  assert.equal(saved.pushMode, 'stages');
  assert.equal(saved.createAs, 'lead');
  assert.deepEqual([...saved.stages].sort(), ['Hot', 'Warm']);

  // Manual push (M1) of three people, reported per record.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
  for (const name of ['Ada Lovelace', 'Grace Hopper', 'Alan Turing'])
    await page.getByRole('checkbox', { name: `Select ${name}` }).check();
  await page.getByRole('button', { name: 'Push to Salesforce' }).click();
  const results = page.getByRole('region', { name: 'Push results' });
  await results.waitFor();
  const lines = await results.getByRole('listitem').allInnerTexts();
  assert.equal(lines.length, 3, lines.join('\n'));
  for (const name of ['Ada Lovelace', 'Grace Hopper', 'Alan Turing'])
    assert.ok(
      lines.some((l) => l.startsWith(`${name}: Created Lead 00Q`)),
      lines.join('\n'),
    );
  await screenshot(page, 'people-pushed');

  // The sync log has them, filtered by object and outcome.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sync log' }).click();
  await page.getByRole('combobox', { name: 'Salesforce object' }).selectOption('Lead');
  await page.getByRole('combobox', { name: 'Outcome' }).selectOption({ label: 'Created' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const table = page.getByRole('table', { name: 'Sync log entries' });
  await table.getByRole('row').nth(3).waitFor();
  const rows = await table.getByRole('row').allInnerTexts();
  assert.equal(rows.length, 4, rows.join('\n'));
  for (const id of ['p-ada', 'p-grace', 'p-alan'])
    assert.ok(
      rows.some((r) => r.includes(id)),
      `${id} in the log`,
    );
  await screenshot(page, 'sync-log');

  // And Salesforce has exactly those three Leads.
  const leads = await soql<{ LastName: string; Email: string }>(org, 'SELECT Id, LastName, Email FROM Lead');
  assert.deepEqual(leads.map((l) => l.LastName).sort(), ['Hopper', 'Lovelace', 'Turing']);

  // Push all (C9) shows its dry run first, then pushes every unlinked person whatever the stage.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
  await page.getByRole('button', { name: 'Push all people…' }).click();
  const pushAll = page.getByRole('dialog', { name: 'Push all people' });
  await pushAll.getByText('Of 1 people, crmsync would:').waitFor();
  assert.deepEqual(await pushAll.getByRole('listitem').allInnerTexts(), [
    'create 1',
    'link 0 to records already in Salesforce',
    'skip 0',
  ]);
  await pushAll.getByRole('button', { name: 'Start push all' }).click();
  await pushAll
    .getByRole('status')
    .filter({ hasText: '1 of 1 done: 1 created, 0 linked, 0 skipped, 0 failed.' })
    .waitFor();
  await screenshot(page, 'people-push-all');
  await pushAll.getByRole('button', { name: 'Close' }).click();
  const after = await soql<{ LastName: string }>(org, 'SELECT Id, LastName FROM Lead');
  assert.deepEqual(after.map((l) => l.LastName).sort(), ['Dijkstra', 'Hopper', 'Lovelace', 'Turing']);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('img', { name: 'Pushes, skips and failures over time' }).waitFor();
  await screenshot(page, 'overview');

  // Signing out revokes the key this sign-in was given.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  const keys = json(await api.call('GET', '/api/v1/api-keys', { key })).items as {
    label: string;
    revokedAt: string | null;
  }[];
  const issued = keys.filter((k) => k.label === 'web UI (admin sign-in)');
  assert.equal(issued.length, 1);
  assert.notEqual(issued[0]!.revokedAt, null);
});

test('every page of the UI renders for a connected workspace, with a screenshot of each', async (t) => {
  const { url, api } = await startUi(t, emu);
  const key = await api.workspace('acme', { stages: STAGES });
  await api.connect(key);
  const { id, ...ada } = PEOPLE[0]!;
  await api.call('POST', '/api/v1/people', { key, body: { id, ...ada, emailStatus: 'verified' } });
  await api.call('POST', '/api/v1/companies', {
    key,
    body: { id: 'c-acme', name: 'Acme', website: 'https://acme.example' },
  });
  const page = await (await launchBrowser(t)).newPage();
  // A wrong key is refused with what to paste instead.
  await signInWithKey(page, url, 'csk.bm9wZQ.not-a-real-key-0123456789');
  await page.getByRole('alert').filter({ hasText: 'That key was not accepted' }).waitFor();

  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await page.getByLabel('Key').fill(ADMIN_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Open Team acme' }).click();
  const nav = page.getByRole('navigation', { name: 'Main' });
  const names = await nav.getByRole('link').allInnerTexts();
  assert.ok(names.length >= 20, names.join(', '));
  for (const name of names) {
    await nav.getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    assert.equal(
      await page
        .getByRole('link', { name, exact: true, includeHidden: false })
        .first()
        .getAttribute('aria-current'),
      'page',
    );
    await screenshot(page, `page-${name.toLowerCase().replace(/[^a-z]+/g, '-')}`);
  }
  // A reload keeps the page (the server answers UI paths with the app) and the sign-in (this tab's session).
  await page.reload();
  await page.getByRole('heading', { level: 1, name: names.at(-1)! }).waitFor();
  assert.deepEqual(problems, []);
});

test('E5, D5: an invalid title template is refused in the editor with the known variables shown (a workspace-key sign-in, which also sees its stages and its deals)', async (t) => {
  const { url, api } = await startUi(t, emu);
  const key = await api.workspace('acme', { stages: STAGES });
  await api.connect(key, { settings: { deals: { hideDeals: true } } });
  const before = json(await api.call('GET', '/api/v1/settings', { key }));
  const page = await (await launchBrowser(t)).newPage();

  // A workspace API key opens its workspace directly, with its stage lists (GET /workspace).
  await signInWithKey(page, url, key);
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await openSettings(page, 'Contacts and Leads');
  await page.getByRole('radio', { name: 'Only people at the stages below' }).check();
  const stageGroup = page.getByRole('group', { name: 'People stages to push' });
  await stageGroup.waitFor();
  assert.equal(await stageGroup.getByRole('checkbox').count(), STAGES.people.length);
  for (const stage of STAGES.people)
    assert.equal(await stageGroup.getByRole('checkbox', { name: stage, exact: true }).count(), 1, stage);

  // Deals (D5): the hidden deal from Salesforce shows only behind the toggle.
  await api.call('POST', '/api/v1/deals', {
    key,
    body: { id: 'd-local', name: 'Acme renewal', stage: 'Discovery' },
  });
  await api.store.transaction('acme', (tx) =>
    tx.records.upsert('deal', {
      id: 'd-sf',
      workspaceId: 'acme',
      externalId: null,
      name: 'From Salesforce',
      amount: null,
      stage: 'Discovery',
      closeDate: null,
      companyId: null,
      personIds: [],
      ownerId: null,
      origin: 'salesforce',
    }),
  );
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Deals', exact: true })
    .click();
  await page.getByRole('checkbox', { name: 'Select Acme renewal' }).waitFor();
  assert.equal(await page.getByRole('checkbox', { name: 'Select From Salesforce' }).count(), 0);
  await page.getByRole('checkbox', { name: 'Show hidden deals' }).check();
  await page.getByRole('checkbox', { name: 'Select From Salesforce' }).waitFor();
  await screenshot(page, 'deals');

  await openSettings(page, 'Emails');
  const template = page.getByRole('textbox', { name: 'Title template' });
  const preview = page.getByRole('status', { name: 'Preview with sample data' });
  assert.equal(await template.inputValue(), 'Email: {{ subject }}');
  assert.equal(await preview.innerText(), 'Email: Pricing for next quarter');

  // Inserting a listed variable renders it at once.
  await template.fill('Email: ');
  await page.getByRole('button', { name: 'Insert person.name' }).click();
  assert.equal(await template.inputValue(), 'Email: {{ person.name }}');
  assert.equal(await preview.innerText(), 'Email: Ada Lovelace');

  await template.fill('Email: {{ person.shoeSize }}');
  assert.match(await preview.innerText(), /unknown variable "person\.shoeSize"/);
  await page.getByRole('button', { name: 'Save…' }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'Not saved' });
  await refused.waitFor();
  const text = await refused.innerText();
  assert.match(text, /activities\.emails\.titleTemplate/);
  assert.match(text, /unknown variable "person\.shoeSize"/);
  for (const known of ['subject', 'person.name', 'company.name', 'deal.name', 'owner.email'])
    assert.ok(text.includes(known), `the refusal lists ${known}: ${text}`);
  assert.equal(await page.getByRole('dialog').count(), 0, 'no preview of a refused document');
  await screenshot(page, 'settings-emails-template-refused');
  // Nothing was saved.
  assert.equal(json(await api.call('GET', '/api/v1/settings', { key })).version, before.version);
});

test('E4: an exclusion rule with From and To sides is created and saved', async (t) => {
  const { url, api } = await startUi(t, emu);
  const key = await api.workspace('acme', { stages: STAGES });
  await api.connect(key);
  const page = await (await launchBrowser(t)).newPage();
  await signInWithKey(page, url, key);
  await openSettings(page, 'Emails');

  await page.getByRole('checkbox', { name: 'Push emails', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Push outgoing emails sent through crmsync' }).check();
  await page.getByRole('button', { name: 'Add exclusion rule' }).click();
  const rule = page.getByRole('group', { name: 'Rule 1' });
  await rule.getByRole('textbox', { name: 'Rule name' }).fill('Confidential mail from ymail');
  const from = rule.getByRole('group', { name: 'From', exact: true });
  await from.getByRole('textbox', { name: 'From domains' }).fill('ymail.org');
  await from.getByRole('textbox', { name: 'From subject keywords' }).fill('Confidential, Private');
  await rule
    .getByRole('group', { name: 'To', exact: true })
    .getByRole('textbox', { name: 'To addresses' })
    .fill('ceo@acme.example');
  await rule.getByRole('radio', { name: /^OR/ }).check();
  await screenshot(page, 'settings-emails-exclusion-rule');
  await rule.getByRole('button', { name: 'Done with rule 1' }).click();
  await page
    .getByText(
      'drops email from domain ymail.org and subject has Confidential or Private OR to address ceo@acme.example',
    )
    .waitFor();

  await page.getByRole('button', { name: 'Save…' }).click();
  await page
    .getByRole('dialog', { name: 'Preview of this change' })
    .getByRole('button', { name: 'Save settings' })
    .click();
  await page
    .getByRole('status')
    .filter({ hasText: /Settings saved/ })
    .waitFor();
  await screenshot(page, 'settings-emails');

  const emails = json(await api.call('GET', '/api/v1/settings', { key })).settings.activities.emails;
  assert.equal(emails.pushEmails, true);
  assert.equal(emails.kinds.outgoingSentThroughApp, true);
  assert.deepEqual(emails.exclusionRules, [
    {
      name: 'Confidential mail from ymail',
      from: { domains: ['ymail.org'], addresses: [], subjectKeywords: ['Confidential', 'Private'] },
      to: { domains: [], addresses: ['ceo@acme.example'], subjectKeywords: [] },
      join: 'or',
    },
  ]);
});

test("L1, L2, L3: Connect Salesforce signs in on the emulator's login page (OAuth with PKCE) and starts the configuration window", async (t) => {
  const { url, api } = await startUi(t, emu);
  const key = await api.workspace('acme', { stages: STAGES });
  const org = await control<OrgSummary & { clientId: string; password: string }>(emu, 'POST', '/orgs', {});
  const page = await (await launchBrowser(t)).newPage();
  await signInWithKey(page, url, key);
  await page.getByRole('region', { name: 'Sync status' }).getByText('Salesforce is not connected.').waitFor();
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Connect Salesforce' })
    .click();

  await page.getByRole('radio', { name: /^Sign in with Salesforce/ }).check();
  await page.getByRole('radio', { name: /^My Domain or another login URL/ }).check();
  await page.getByRole('textbox', { name: 'Login URL' }).fill(org.loginUrl);
  await page.getByRole('textbox', { name: 'Consumer key' }).fill(org.clientId);
  await screenshot(page, 'connect');
  await page.getByRole('button', { name: 'Sign in with Salesforce' }).click();

  // The emulator's own sign-in page, on its own origin.
  await page.getByRole('heading', { name: /^Log in to / }).waitFor();
  assert.ok(page.url().startsWith(`${new URL(org.loginUrl).origin}/`), page.url());
  await page.getByRole('textbox', { name: 'Username' }).fill(org.username);
  await page.getByLabel('Password').fill(org.password);
  await page.getByRole('button', { name: 'Allow' }).click();

  await page.getByRole('status').filter({ hasText: 'Salesforce is connected' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/connect');
  const banner = page.getByRole('region', { name: 'Sync status' });
  await banner.getByText(/Automatic sync starts in [56]h \d\dm \d\ds\./).waitFor();
  await screenshot(page, 'connect-done');
  const status = json(await api.call('GET', '/api/v1/connection', { key }));
  assert.equal(status.connected, true);
  assert.equal(status.connection.orgId, org.orgId);
  assert.equal(status.connection.state, 'configuring');

  // The window banner ends the configuration window on request (L2), then pauses and resumes (L3).
  await banner.getByRole('button', { name: 'Start syncing now' }).click();
  await banner.getByRole('button', { name: 'Pause sync' }).click();
  await banner.getByText('Sync is paused.').waitFor();
  assert.equal(json(await api.call('GET', '/api/v1/connection', { key })).connection.state, 'paused');
  await banner.getByRole('button', { name: 'Resume sync' }).click();
  await banner.getByRole('button', { name: 'Pause sync' }).waitFor();
  assert.equal(json(await api.call('GET', '/api/v1/connection', { key })).connection.state, 'active');
});
