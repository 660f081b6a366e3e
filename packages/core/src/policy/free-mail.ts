/*
 * Consumer ("free") mail providers. E2: a free-mail domain is never internal, even when one of
 * the team's mailboxes uses it, since two gmail.com addresses say nothing about working together.
 * P4: a lead's free-mail domain never names its company.
 *
 * Where it comes from: the providers that hold most consumer mailboxes worldwide, as listed in
 * the public free-email-domain lists CRMs use for the same purpose (HubSpot's "free email
 * domains" list and the community `free-email-domains` package), cut to the ones seen in B2B
 * sales traffic. It is deliberately short: a missing provider makes an email external (pushed
 * under the external kinds, a safe default), whereas a wrong entry would hide a real company.
 *
 * How to extend it: add the registrable domain (what tldts' `getDomain` returns, lower-case,
 * IDN in Punycode) to FREE_MAIL_DOMAINS; subdomains are covered automatically. Add a name to
 * FREE_MAIL_BRANDS only for a provider whose own service runs under many country suffixes, and
 * whose name is not also a common company name, since every ICANN suffix then matches.
 * Note: `ymail.com` is Yahoo's; `ymail.org` (the seed's example) is not a free-mail domain.
 */

/** Providers matched under any ICANN public suffix: `yahoo.fr`, `yahoo.co.jp`, `gmx.at`, `hotmail.co.uk`, ... */
export const FREE_MAIL_BRANDS: ReadonlySet<string> = new Set(['yahoo', 'hotmail', 'gmx', 'yandex']);

/** Exact registrable domains; their subdomains count too. */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  // Google
  'gmail.com',
  'googlemail.com',
  // Yahoo (yahoo.* is a brand above)
  'ymail.com',
  'rocketmail.com',
  // Microsoft (hotmail.* is a brand above)
  'outlook.com',
  'outlook.fr',
  'outlook.de',
  'outlook.es',
  'outlook.it',
  'outlook.jp',
  'outlook.com.br',
  'live.com',
  'live.co.uk',
  'live.fr',
  'live.de',
  'live.nl',
  'live.it',
  'live.ca',
  'live.com.au',
  'msn.com',
  'passport.com',
  // AOL
  'aol.com',
  'aol.co.uk',
  'aol.de',
  'aol.fr',
  'aim.com',
  // Apple
  'icloud.com',
  'me.com',
  'mac.com',
  // Proton
  'proton.me',
  'protonmail.com',
  'protonmail.ch',
  'pm.me',
  // Privacy and independent providers
  'tutanota.com',
  'tutanota.de',
  'tuta.io',
  'fastmail.com',
  'fastmail.fm',
  'hey.com',
  'zoho.com',
  'zohomail.com',
  'mail.com',
  'email.com',
  'gmx.com',
  'hushmail.com',
  'inbox.com',
  // Europe (gmx.* is a brand above)
  'web.de',
  't-online.de',
  'freenet.de',
  'orange.fr',
  'wanadoo.fr',
  'laposte.net',
  'free.fr',
  'sfr.fr',
  'libero.it',
  'virgilio.it',
  'btinternet.com',
  'sky.com',
  'seznam.cz',
  'wp.pl',
  'o2.pl',
  'onet.pl',
  'interia.pl',
  // Russia and neighbours (yandex.* is a brand above)
  'mail.ru',
  'inbox.ru',
  'list.ru',
  'bk.ru',
  'rambler.ru',
  'ya.ru',
  // Asia
  'qq.com',
  'foxmail.com',
  '163.com',
  '126.com',
  'yeah.net',
  'sina.com',
  'sohu.com',
  'naver.com',
  'daum.net',
  'hanmail.net',
  'rediffmail.com',
  // North America ISPs
  'comcast.net',
  'verizon.net',
  'att.net',
  'sbcglobal.net',
  'cox.net',
  'charter.net',
  'earthlink.net',
  // Latin America
  'bol.com.br',
  'uol.com.br',
  'terra.com.br',
]);
