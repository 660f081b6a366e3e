import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSettings } from '../settings/parse.js';
import { DEFAULT_TEMPLATES, TEMPLATE_VARIABLES } from '../settings/template-variables.js';
import { checkTemplate, renderTitle, templateVariablesFor, type RenderedTitle } from './templates.js';

function title(r: RenderedTitle): string {
  assert.ok(r.ok, r.ok ? '' : r.problem);
  return r.title;
}

test('E5: the default templates pass the check and render the spec defaults', () => {
  for (const activity of ['email', 'task', 'call'] as const)
    assert.deepEqual(checkTemplate(activity, DEFAULT_TEMPLATES[activity]), { ok: true });
  assert.equal(
    title(renderTitle('email', DEFAULT_TEMPLATES.email, { subject: 'Pricing' }, 255)),
    'Email: Pricing',
  );
  assert.equal(
    title(renderTitle('task', DEFAULT_TEMPLATES.task, { title: 'Send deck' }, 255)),
    'Task: Send deck',
  );
  assert.equal(
    title(
      renderTitle('call', DEFAULT_TEMPLATES.call, { outcome: 'Connected', 'person.name': 'Jane Doe' }, 255),
    ),
    'Call: Connected with Jane Doe',
  );
});

test('E5: templateVariablesFor lists the schema variables of each activity', () => {
  for (const activity of ['email', 'task', 'call'] as const)
    assert.deepEqual(templateVariablesFor(activity), TEMPLATE_VARIABLES[activity]);
});

test('E5: every tag is refused, so templates have no logic', () => {
  const tags = [
    '{% if subject %}x{% endif %}',
    '{%- if subject -%}x{%- endif -%}',
    '{% for p in person %}{{ p }}{% endfor %}',
    '{% assign x = subject %}',
    '{% capture x %}y{% endcapture %}',
    "{% include 'secrets.txt' %}",
    "{% render '/etc/passwd' %}",
    "{% layout 'x' %}",
    '{% raw %}{{ subject }}{% endraw %}',
    '{% comment %}hidden{% endcomment %}',
    '{% liquid echo subject %}',
    '{% echo subject %}',
    '{% case subject %}{% when "a" %}b{% endcase %}',
    '{% cycle "a", "b" %}',
    '{% increment n %}',
    'Email: {{ subject }} {% unknowntag %}',
  ];
  for (const source of tags) {
    const check = checkTemplate('email', source);
    assert.equal(check.ok, false, source);
    if (!check.ok) assert.match(check.problem, /logic-less/, source);
    assert.equal(renderTitle('email', source, { subject: 'S' }, 255).ok, false, source);
  }
});

test('E5: an unknown variable is refused with the list of known variables; the same name is fine where it exists', () => {
  const onEmail = checkTemplate('email', 'Call: {{ outcome }}');
  const onCall = checkTemplate('call', 'Call: {{ outcome }}');
  assert.deepEqual(onCall, { ok: true });
  assert.equal(onEmail.ok, false);
  if (!onEmail.ok) {
    assert.match(onEmail.problem, /unknown variable "outcome"/);
    for (const v of TEMPLATE_VARIABLES.email)
      assert.ok(onEmail.problem.includes(v), `the message lists ${v}`);
    assert.deepEqual(onEmail.knownVariables, TEMPLATE_VARIABLES.email);
  }
});

test('E5: no prototype or object is reachable: only the listed leaf paths', () => {
  const attempts = [
    '{{ constructor }}',
    '{{ __proto__ }}',
    '{{ a.__proto__.x }}',
    '{{ subject.__proto__ }}',
    '{{ subject.constructor.name }}',
    '{{ person.constructor }}',
    '{{ person["constructor"] }}',
    "{{ person['name'] }}",
    '{{ person[subject] }}',
    '{{ person }}',
    '{{ subject.size }}',
    '{{ subject.length }}',
    '{{ "constructor" }}',
    '{{ 42 }}',
    '{{ (1..5) }}',
    '{{ subject == "x" }}',
    '{{ person . name }}',
    '{{ subject | constructor }}',
    '{{ subject | default: constructor }}',
    '{{ subject | default: person.name }}',
    '{{ subject | replace: from: "a" }}',
  ];
  for (const source of attempts) {
    const check = checkTemplate('email', source);
    assert.equal(check.ok, false, source);
    assert.equal(renderTitle('email', source, { subject: 'S', 'person.name': 'P' }, 255).ok, false, source);
  }
});

test('E5: templates cannot run code or read the environment', () => {
  const g = globalThis as { crmsyncPwned?: unknown };
  const attempts = [
    '{{ constructor.constructor("globalThis.crmsyncPwned = 1")() }}',
    '{{ subject | prepend: constructor.constructor("globalThis.crmsyncPwned = 1") }}',
    '{% assign f = subject.constructor.constructor %}{{ f }}',
    '{{ process.env.HOME }}',
    '{{ global }}',
  ];
  for (const source of attempts) {
    assert.equal(checkTemplate('email', source).ok, false, source);
    const r = renderTitle('email', source, { subject: 'S' }, 255);
    assert.equal(r.ok, false, source);
  }
  assert.equal(g.crmsyncPwned, undefined);
  // A value that looks like code is printed as text, never evaluated.
  assert.equal(
    title(renderTitle('email', '{{ subject }}', { subject: '{{ constructor }} {% if x %}' }, 255)),
    '{{ constructor }} {% if x %}',
  );
});

test('E5: values the caller did not list, or inherited ones, are never rendered', () => {
  const inherited = Object.create({ subject: 'from the prototype' }) as Record<string, string>;
  assert.equal(title(renderTitle('email', 'Email: {{ subject }}', inherited, 255)), 'Email:');
  const extra = { subject: 'Hi', secret: 'token-123' } as Record<string, string>;
  assert.equal(title(renderTitle('email', '{{ subject }}', extra, 255)), 'Hi');
});

test('E5: allowed filters work; unknown filters are refused with the allowed list', () => {
  const vars = {
    subject: '  quarterly review  ',
    'person.name': 'jane doe',
    sentAt: '2026-11-28T23:30:00-05:00',
  };
  const cases: [string, string][] = [
    ['{{ subject | strip | upcase }}', 'QUARTERLY REVIEW'],
    ['{{ person.name | capitalize }}', 'Jane doe'],
    ['{{ subject | strip | truncate: 9 }}', 'quarte...'],
    ['{{ subject | strip | truncate: 9, "…" }}', 'quarterl…'],
    ['{{ deal.name | default: "no deal" }}', 'no deal'],
    ['{{ sentAt | date: "%Y-%m-%d %H:%M" }}', '2026-11-29 04:30'],
    ['{{ subject | strip | replace: "quarterly", "Q4" | append: "!" }}', 'Q4 review!'],
  ];
  for (const [source, expected] of cases)
    assert.equal(title(renderTitle('email', source, vars, 255)), expected, source);
  const refused = checkTemplate('email', '{{ subject | json }}');
  assert.equal(refused.ok, false);
  if (!refused.ok) assert.match(refused.problem, /filter "json".*allowed filters: upcase/);
  for (const f of ['inspect', 'where: "a"', 'sort', 'map: "name"', 'nonsense'])
    assert.equal(checkTemplate('email', `{{ subject | ${f} }}`).ok, false, f);
});

test('E5: the date filter never reads the clock, even through a default of "now"', () => {
  const r = renderTitle(
    'email',
    '{{ subject | default: "now" | date: "%Y" }}|{{ sentAt | date: "%Y" }}',
    { subject: 'today' },
    255,
  );
  assert.equal(title(r), 'today|');
});

test('E5: missing values render empty and leave no double space', () => {
  assert.equal(title(renderTitle('call', DEFAULT_TEMPLATES.call, {}, 255)), 'Call: with');
  assert.equal(
    title(renderTitle('call', DEFAULT_TEMPLATES.call, { outcome: null, 'person.name': undefined }, 255)),
    'Call: with',
  );
  assert.equal(title(renderTitle('email', '{{ subject }}', {}, 255)), '');
});

test('E5: the title is cut to the field length, never splitting a character, and says it was cut', () => {
  const long = renderTitle('email', DEFAULT_TEMPLATES.email, { subject: 'x'.repeat(100_000) }, 255);
  assert.ok(long.ok);
  assert.equal(long.title.length, 255);
  assert.equal(long.truncated, true);
  const short = renderTitle('email', DEFAULT_TEMPLATES.email, { subject: 'short' }, 255);
  assert.ok(short.ok && !short.truncated);
  const emoji = renderTitle('email', '{{ subject }}', { subject: 'ab😀😀' }, 3);
  assert.deepEqual(emoji, { ok: true, title: 'ab', truncated: true });
  const unicode = renderTitle('email', 'Ünïcødé: {{ subject }}', { subject: 'Größe 日本語' }, 255);
  assert.equal(title(unicode), 'Ünïcødé: Größe 日本語');
});

test('E5: a title is one line', () => {
  assert.equal(
    title(renderTitle('email', 'Email: {{ subject }}', { subject: 'Re:\r\n  folded\n\nsubject' }, 255)),
    'Email: Re: folded subject',
  );
});

test('E5: empty, unclosed and very long templates are handled without throwing', () => {
  assert.deepEqual(checkTemplate('email', ''), { ok: true });
  const unclosed = checkTemplate('email', 'Email: {{ subject');
  assert.equal(unclosed.ok, false);
  if (!unclosed.ok) assert.match(unclosed.problem, /cannot be read/);
  assert.deepEqual(checkTemplate('email', `${'a'.repeat(1_900)}{{ subject }}`), { ok: true });
  const tooLong = checkTemplate('email', `${'a'.repeat(100_000)}{{ subject }}`);
  assert.equal(tooLong.ok, false);
  if (!tooLong.ok)
    assert.match(tooLong.problem, /100,013 characters long; a title template can have at most 2,000/);
});

test('E5: settings refuse a template with an unknown variable on save and accept a valid one', () => {
  const bad = parseSettings({
    version: 2,
    activities: { calls: { titleTemplate: 'Call with {{ person.nickname }}' } },
  });
  const good = parseSettings({
    version: 2,
    activities: { calls: { titleTemplate: 'Call with {{ person.name | upcase }}' } },
  });
  assert.equal(good.ok, true);
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    const problem = bad.problems.find((p) => p.path === 'activities.calls.titleTemplate');
    assert.ok(problem, JSON.stringify(bad.problems));
    assert.match(problem.message, /unknown variable "person\.nickname".*person\.name/);
  }
});
