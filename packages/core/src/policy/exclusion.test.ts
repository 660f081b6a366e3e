import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExclusionRule } from '../settings/schema.js';
import { matchExclusionRules, type ExcludableEmail } from './exclusion.js';

type RuleInput = { name?: string; from?: Partial<Side>; to?: Partial<Side>; join?: 'and' | 'or' };
type Side = { domains: string[]; addresses: string[]; subjectKeywords: string[] };

/** Rules go through the settings schema, as a saved rule would. */
const rule = (r: RuleInput): ExclusionRule => ExclusionRule.parse({ name: 'rule', ...r });

const mail = (
  from: string,
  to: string[],
  subject: string,
  cc: string[] = [],
): ExcludableEmail & { cc: string[] } => ({ from, to, subject, cc });

const seed = rule({
  name: 'Confidential from ymail',
  from: { domains: ['ymail.org'], subjectKeywords: ['Confidential'] },
});

interface Case {
  title: string;
  email: ExcludableEmail;
  rules: ExclusionRule[];
  /** Name of the rule that drops it, or null when it is kept. */
  dropBy: string | null;
}

const cases: Case[] = [
  {
    title: "the seed's ymail.org + Confidential example is dropped",
    email: mail('ann@ymail.org', ['bob@acme.com'], 'Confidential: Q3 numbers'),
    rules: [seed],
    dropBy: 'Confidential from ymail',
  },
  {
    title: 'another domain with Confidential is kept',
    email: mail('ann@other.org', ['bob@acme.com'], 'Confidential: Q3 numbers'),
    rules: [seed],
    dropBy: null,
  },
  {
    title: 'ymail.org without Confidential is kept',
    email: mail('ann@ymail.org', ['bob@acme.com'], 'Lunch?'),
    rules: [seed],
    dropBy: null,
  },
  {
    title: 'ymail.com (free mail, another domain) is kept by a ymail.org rule',
    email: mail('ann@ymail.com', ['bob@acme.com'], 'Confidential'),
    rules: [seed],
    dropBy: null,
  },
  {
    title: 'a subdomain of the rule domain is dropped',
    email: mail('ann@mail.ymail.org', ['bob@acme.com'], 'confidential'),
    rules: [seed],
    dropBy: 'Confidential from ymail',
  },
  {
    title: 'a look-alike domain (notymail.org) is kept',
    email: mail('ann@notymail.org', ['bob@acme.com'], 'Confidential'),
    rules: [seed],
    dropBy: null,
  },
  {
    title: 'case is ignored in domains and keywords',
    email: mail('"Ann" <ANN@YMAIL.ORG>', ['bob@acme.com'], 'CONFIDENTIAL memo'),
    rules: [seed],
    dropBy: 'Confidential from ymail',
  },
  {
    title: 'two domains on one side: either matches',
    email: mail('x@beta.io', ['bob@acme.com'], 'hi'),
    rules: [rule({ name: 'competitors', from: { domains: ['alpha.io', 'beta.io'] } })],
    dropBy: 'competitors',
  },
  {
    title: 'two domains on one side: neither matches, kept',
    email: mail('x@gamma.io', ['bob@acme.com'], 'hi'),
    rules: [rule({ name: 'competitors', from: { domains: ['alpha.io', 'beta.io'] } })],
    dropBy: null,
  },
  {
    title: 'domain and address kinds on one side must both match (AND across kinds)',
    email: mail('other@beta.io', ['bob@acme.com'], 'hi'),
    rules: [rule({ name: 'one person', from: { domains: ['beta.io'], addresses: ['ceo@beta.io'] } })],
    dropBy: null,
  },
  {
    title: 'an address matches whatever its case and display name',
    email: mail('The CEO <CEO@Beta.io>', ['bob@acme.com'], 'hi'),
    rules: [rule({ name: 'one person', from: { addresses: ['ceo@beta.io'] } })],
    dropBy: 'one person',
  },
  {
    title: 'To with several recipients where only one matches is dropped',
    email: mail('bob@acme.com', ['a@client.com', 'legal@lawfirm.com', 'c@client.com'], 'Contract'),
    rules: [rule({ name: 'lawyers', to: { domains: ['lawfirm.com'] } })],
    dropBy: 'lawyers',
  },
  {
    title: 'a CC-only match must not drop',
    email: mail('bob@acme.com', ['a@client.com'], 'Contract', ['legal@lawfirm.com']),
    rules: [rule({ name: 'lawyers', to: { domains: ['lawfirm.com'] } })],
    dropBy: null,
  },
  {
    title: 'an empty To list never matches a To side with a domain',
    email: mail('bob@acme.com', [], 'Contract', ['legal@lawfirm.com']),
    rules: [rule({ name: 'lawyers', to: { domains: ['lawfirm.com'] } })],
    dropBy: null,
  },
  {
    title: 'To side: domain and address must hold for the same recipient',
    email: mail('bob@acme.com', ['x@lawfirm.com', 'ceo@client.com'], 'Contract'),
    rules: [rule({ name: 'mix', to: { domains: ['lawfirm.com'], addresses: ['ceo@client.com'] } })],
    dropBy: null,
  },
  {
    title: 'subject keywords given on the To side test the subject',
    email: mail('bob@acme.com', ['x@lawfirm.com'], 'Privileged & confidential'),
    rules: [
      rule({
        name: 'privileged to lawyers',
        to: { domains: ['lawfirm.com'], subjectKeywords: ['privileged'] },
      }),
    ],
    dropBy: 'privileged to lawyers',
  },
  {
    title: 'AND: both sides must match (From matches, To does not)',
    email: mail('ann@ymail.org', ['bob@acme.com'], 'hi'),
    rules: [
      rule({ name: 'both', from: { domains: ['ymail.org'] }, to: { domains: ['lawfirm.com'] }, join: 'and' }),
    ],
    dropBy: null,
  },
  {
    title: 'OR: one side is enough (From matches, To does not)',
    email: mail('ann@ymail.org', ['bob@acme.com'], 'hi'),
    rules: [
      rule({
        name: 'either',
        from: { domains: ['ymail.org'] },
        to: { domains: ['lawfirm.com'] },
        join: 'or',
      }),
    ],
    dropBy: 'either',
  },
  {
    title: 'AND with an empty To side: the empty side is ignored, From decides',
    email: mail('ann@ymail.org', ['bob@acme.com'], 'hi'),
    rules: [rule({ name: 'from only', from: { domains: ['ymail.org'] }, join: 'and' })],
    dropBy: 'from only',
  },
  {
    title: 'OR with an empty From side: the empty side does not match everything',
    email: mail('ann@ymail.org', ['bob@acme.com'], 'hi'),
    rules: [rule({ name: 'to only', to: { domains: ['lawfirm.com'] }, join: 'or' })],
    dropBy: null,
  },
  {
    title: 'a rule with both sides empty matches nothing',
    email: mail('ann@ymail.org', ['bob@acme.com'], 'hi'),
    rules: [rule({ name: 'empty', join: 'or' }), rule({ name: 'empty and', join: 'and' })],
    dropBy: null,
  },
  {
    title: 'unicode subjects: keyword found whatever its case and width',
    email: mail('a@x.de', ['b@acme.com'], 'VERTRAULICH: Größe des Angebots ＣＯＮＦＩＤＥＮＴＩＡＬ'),
    rules: [
      rule({ name: 'de', from: { subjectKeywords: ['größe'] } }),
      rule({ name: 'wide', from: { subjectKeywords: ['confidential'] } }),
    ],
    dropBy: 'de',
  },
  {
    title: 'unicode subjects: a full-width subject matches an ordinary keyword',
    email: mail('a@x.de', ['b@acme.com'], 'ＣＯＮＦＩＤＥＮＴＩＡＬ 📎 offre'),
    rules: [rule({ name: 'wide', from: { subjectKeywords: ['confidential'] } })],
    dropBy: 'wide',
  },
  {
    title: 'unicode subjects: an accented keyword does not match its unaccented spelling',
    email: mail('a@x.fr', ['b@acme.com'], 'Resume attached'),
    rules: [rule({ name: 'fr', from: { subjectKeywords: ['résumé'] } })],
    dropBy: null,
  },
  {
    title: 'unicode domains: a rule written in Unicode matches the Punycode sender',
    email: mail('jan@post.xn--mller-kva.de', ['b@acme.com'], 'hi'),
    rules: [rule({ name: 'müller', from: { domains: ['müller.de'] } })],
    dropBy: 'müller',
  },
  {
    title: 'a keyword far into a 100,000-character subject is found',
    email: mail('a@x.com', ['b@acme.com'], `${'a'.repeat(100_000)} secret`),
    rules: [rule({ name: 'secret', from: { subjectKeywords: ['SECRET'] } })],
    dropBy: 'secret',
  },
  {
    title: 'an empty subject never contains a keyword',
    email: mail('ann@ymail.org', ['b@acme.com'], ''),
    rules: [seed],
    dropBy: null,
  },
  {
    title: 'the first matching rule is the one named',
    email: mail('ann@ymail.org', ['b@acme.com'], 'Confidential'),
    rules: [
      rule({ name: 'no', from: { domains: ['other.org'] } }),
      rule({ name: 'first', from: { domains: ['ymail.org'] } }),
      seed,
    ],
    dropBy: 'first',
  },
];

for (const c of cases) {
  test(`E4: ${c.title}`, () => {
    const match = matchExclusionRules(c.email, c.rules);
    assert.equal(match?.ruleName ?? null, c.dropBy);
    if (match !== null) {
      assert.equal(match.rule, 'E4');
      assert.equal(c.rules[match.ruleIndex]?.name, c.dropBy);
      assert.ok(match.reason.includes(`"${c.dropBy}"`), match.reason);
      assert.equal(matchExclusionRules(c.email, []), null, 'without the rules the same email is kept');
    }
  });
}

test('E4: with the rule removed the same email is kept, with it the log sentence names the rule and what matched', () => {
  const email = mail('ann@ymail.org', ['bob@acme.com'], 'Confidential: Q3');
  assert.equal(matchExclusionRules(email, []), null);
  const match = matchExclusionRules(email, [seed]);
  assert.deepEqual(match, {
    rule: 'E4',
    ruleName: 'Confidential from ymail',
    ruleIndex: 0,
    reason:
      'Dropped by exclusion rule "Confidential from ymail" (rule 1): the sender ann@ymail.org is on ymail.org and the subject contains "Confidential".',
  });
});
