import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  domainOfEmail,
  isFreeMail,
  isSameOrSubdomain,
  normalizeAddress,
  normalizeWebsite,
  registrableDomain,
} from './domains.js';

test('domainOfEmail: lower-cases, trims, reads "Name <address>" and folds IDN to Punycode', () => {
  const cases: [string, string | null][] = [
    ['jane@acme.com', 'acme.com'],
    ['  Jane@ACME.Com  ', 'acme.com'],
    ['"Doe, Jane" <Jane.Doe@Mail.Acme.COM>', 'mail.acme.com'],
    ['Jane <jane@acme.com.>', 'acme.com'],
    ['"a@b" <x@real.example>', 'real.example'],
    ['jürgen@Müller.de', 'xn--mller-kva.de'],
    ['jurgen@xn--mller-kva.de', 'xn--mller-kva.de'],
    ['a@ａｃｍｅ．com', 'acme.com'],
    ['mailto:bob@acme.com', 'acme.com'],
    ['', null],
    ['nobody', null],
    ['@acme.com', null],
    ['jane@', null],
    ['jane@bad domain.com', null],
    [`${'x'.repeat(100_000)}@acme.com`, 'acme.com'],
  ];
  for (const [input, expected] of cases)
    assert.equal(domainOfEmail(input), expected, JSON.stringify(input.slice(0, 60)));
});

test('normalizeAddress: one spelling per mailbox, whatever the case or display name', () => {
  assert.equal(normalizeAddress('"Jane" <Jane@ACME.com>'), 'jane@acme.com');
  assert.equal(normalizeAddress('JÜRGEN@MÜLLER.DE'), 'jürgen@xn--mller-kva.de');
  assert.equal(normalizeAddress('not an address'), null);
});

test('X2: normalizeWebsite ignores scheme, www., credentials, port, path, query and folds subdomains', () => {
  const cases: [string, string | null][] = [
    ['https://www.Acme.com:8443/path?q=1#top', 'acme.com'],
    ['acme.com', 'acme.com'],
    ['ACME.COM/about-us', 'acme.com'],
    ['http://eu.shop.acme.co.uk', 'acme.co.uk'],
    ['//acme.com', 'acme.com'],
    ['ftp://user:secret@files.acme.io/x', 'acme.io'],
    ['www.müller.de', 'xn--mller-kva.de'],
    ['https://WWW.MÜLLER.DE/', 'xn--mller-kva.de'],
    ['jane.github.io', 'jane.github.io'],
    ['bob.github.io', 'bob.github.io'],
    ['', null],
    ['   ', null],
    ['n/a', null],
    ['localhost', null],
    ['http://192.168.1.10/', null],
    [`https://acme.com/${'p'.repeat(100_000)}`, 'acme.com'],
  ];
  for (const [input, expected] of cases)
    assert.equal(normalizeWebsite(input), expected, JSON.stringify(input.slice(0, 60)));
});

test('registrableDomain: folds subdomains under multi-label suffixes and keeps intranet names', () => {
  assert.equal(registrableDomain('eu.mail.acme.co.uk'), 'acme.co.uk');
  assert.equal(registrableDomain('Mail.YMail.org'), 'ymail.org');
  assert.equal(registrableDomain('intranet'), 'intranet');
  assert.equal(registrableDomain(''), null);
});

test('isSameOrSubdomain: matches label by label, never by text suffix', () => {
  const cases: [string, string, boolean][] = [
    ['ymail.org', 'ymail.org', true],
    ['mail.ymail.org', 'ymail.org', true],
    ['a.b.mail.ymail.org', 'ymail.org', true],
    ['notymail.org', 'ymail.org', false],
    ['ymail.org', 'mail.ymail.org', false],
    ['MAIL.YMAIL.ORG', 'ymail.org', true],
    ['ymail.org.', '@YMail.org', true],
    ['post.müller.de', 'xn--mller-kva.de', true],
    ['ymail.org.evil.com', 'ymail.org', false],
    ['', 'ymail.org', false],
  ];
  for (const [domain, parent, expected] of cases)
    assert.equal(isSameOrSubdomain(domain, parent), expected, `${domain} under ${parent}`);
});

test('isFreeMail: providers, their country suffixes and subdomains; companies and look-alikes are not', () => {
  const free = [
    'gmail.com',
    'GMail.com',
    'googlemail.com',
    'yahoo.com',
    'yahoo.co.uk',
    'yahoo.fr',
    'ymail.com',
    'hotmail.com',
    'hotmail.co.uk',
    'outlook.com',
    'live.com',
    'icloud.com',
    'proton.me',
    'gmx.de',
    'gmx.at',
    'web.de',
    'mail.ru',
    'yandex.ru',
    'mail.yandex.ru',
    'qq.com',
    '163.com',
  ];
  const notFree = [
    'ymail.org',
    'acme.com',
    'notgmail.com',
    'gmail.com.evil.io',
    'yahoo.blogspot.com',
    'mail.acme.com',
    '',
  ];
  for (const d of free) assert.equal(isFreeMail(d), true, d);
  for (const d of notFree) assert.equal(isFreeMail(d), false, d);
});
