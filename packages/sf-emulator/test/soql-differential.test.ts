// Differential test: random WHERE clauses over random rows, each rendered to SOQL text and sent
// through jsforce to the emulator over HTTP, and evaluated by a plain TypeScript reference written
// over the generator's clause tree. The ids must agree. The seed is printed; SOQL_SEED=<n> replays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIXED_NOW, startHttpOrg, TAGS, TIERS } from './soql-helpers.js';

// ---- seeded randomness ------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rand {
  constructor(private readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  subset<T>(items: readonly T[]): T[] {
    return items.filter(() => this.chance(0.4));
  }
}

// ---- the row model -------------------------------------------------------------------------------

const DAY = 86_400_000;
const NOW_MS = Date.parse(FIXED_NOW);
const TODAY_MS = Date.UTC(2024, 2, 15);

const WORDS = [
  "O'Brien",
  "o'brien",
  'back\\slash',
  'Back\\Slash',
  '"quoted"',
  'Ünïcödé',
  'ünÏcödÉ',
  '日本語',
  'emoji 😀 here',
  'a%b',
  'A_B',
  'tab\there',
  'new\nline',
  'Zed',
  'zed',
  'alpha',
  'Alpha',
  'beta',
  'gamma ray',
  "it's \\'tricky\\'",
];
const SCORES = [-2.5, 0, 1, 3.5, 100, 1e-3];
const VISITS = [0, 1, 7, 42];
const BIRTH_DATES = [
  '1985-06-01',
  '1990-01-31',
  '2024-03-14',
  '2024-03-15',
  '2024-03-16',
  '2024-03-10',
  '2024-03-09',
];
const SEEN = [
  TODAY_MS,
  TODAY_MS - 1,
  TODAY_MS - 1000,
  TODAY_MS + 12 * 3_600_000,
  TODAY_MS + DAY,
  TODAY_MS + DAY - 1,
  TODAY_MS - 5 * DAY,
  TODAY_MS - 6 * DAY + 1,
  TODAY_MS + 3 * DAY,
  NOW_MS,
  TODAY_MS - 30 * DAY,
];

interface Row {
  Id: string;
  LastName: string;
  Nickname__c: string | null;
  Score__c: number | null;
  Visits__c: number | null;
  Active__c: boolean;
  Tier__c: string | null;
  Tags__c: string[] | null;
  Birth_Date__c: string | null;
  Last_Seen__c: number | null;
}

function makeRow(r: Rand): Omit<Row, 'Id'> {
  const maybe = <T>(value: T): T | null => (r.chance(0.2) ? null : value);
  const tags = r.subset(TAGS);
  return {
    LastName: r.pick(WORDS),
    Nickname__c: maybe(r.pick(WORDS)),
    Score__c: maybe(r.pick(SCORES)),
    Visits__c: maybe(r.pick(VISITS)),
    Active__c: r.chance(0.5),
    Tier__c: maybe(r.pick(TIERS)),
    Tags__c: tags.length === 0 ? null : tags,
    Birth_Date__c: maybe(r.pick(BIRTH_DATES)),
    Last_Seen__c: maybe(r.pick(SEEN)),
  };
}

// ---- clauses -------------------------------------------------------------------------------------

type TextField = 'LastName' | 'Nickname__c' | 'Tier__c';
type NumberField = 'Score__c' | 'Visits__c';
type Cmp = '=' | '!=' | '<' | '<=' | '>' | '>=';
type DateValue =
  | { kind: 'date'; day: string }
  | { kind: 'datetime'; ms: number; render: string }
  | { kind: 'literal'; text: string };
type LikePiece = { kind: 'text'; text: string } | { kind: 'any' } | { kind: 'one' };

type Leaf =
  | { kind: 'text'; field: TextField; op: Cmp; value: string | null }
  | { kind: 'textIn'; field: TextField; negate: boolean; values: Array<string | null> }
  | { kind: 'like'; field: TextField; pattern: LikePiece[] }
  | { kind: 'number'; field: NumberField; op: Cmp; value: number | null }
  | { kind: 'numberIn'; field: NumberField; negate: boolean; values: number[] }
  | { kind: 'bool'; op: '=' | '!='; value: boolean }
  | { kind: 'date'; field: 'Birth_Date__c' | 'Last_Seen__c'; op: Cmp; value: DateValue | null }
  | { kind: 'includes'; negate: boolean; sets: string[][] }
  | { kind: 'tagsEq'; op: '=' | '!='; set: string[] };

type Clause =
  { kind: 'and' | 'or'; children: Clause[] } | { kind: 'not'; child: Clause } | { kind: 'leaf'; leaf: Leaf };

const CMPS: Cmp[] = ['=', '!=', '<', '<=', '>', '>='];

function caseVariant(r: Rand, text: string): string {
  return r.pick([text, text.toUpperCase(), text.toLowerCase()]);
}

/** The instant written in another zone: `2024-03-15T05:30:00.999+0530`, `...-05:00` or `...Z`. */
function isoOffset(r: Rand, ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000)
    .toISOString()
    .slice(0, ms % 1000 === 0 && r.chance(0.5) ? 19 : 23);
  if (offsetMinutes === 0) return r.chance(0.5) ? `${local}Z` : `${local}+0000`;
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}${r.chance(0.5) ? ':' : ''}${mm}`;
}

function dateValue(r: Rand, field: 'Birth_Date__c' | 'Last_Seen__c'): DateValue {
  if (r.chance(0.35)) {
    return {
      kind: 'literal',
      text: r.pick(['TODAY', 'YESTERDAY', 'TOMORROW', `LAST_N_DAYS:${r.int(8)}`, `NEXT_N_DAYS:${r.int(4)}`]),
    };
  }
  if (field === 'Birth_Date__c') return { kind: 'date', day: r.pick(BIRTH_DATES) };
  const ms = r.pick(SEEN) + r.pick([0, 0, 1, -1]);
  return { kind: 'datetime', ms, render: isoOffset(r, ms, r.pick([0, 0, 300, -300, 330])) };
}

function likePattern(r: Rand): LikePiece[] {
  const source = r.pick(WORDS);
  const pieces: LikePiece[] = [];
  const chars = [...source];
  let i = 0;
  if (r.chance(0.4)) pieces.push({ kind: 'any' });
  while (i < chars.length) {
    const roll = r.int(10);
    if (roll === 0) {
      pieces.push({ kind: 'one' });
      i += 1;
    } else if (roll === 1) {
      pieces.push({ kind: 'any' });
      i += 1 + r.int(3);
    } else {
      const take = 1 + r.int(4);
      pieces.push({ kind: 'text', text: caseVariant(r, chars.slice(i, i + take).join('')) });
      i += take;
    }
  }
  if (r.chance(0.3)) pieces.push({ kind: 'any' });
  if (r.chance(0.1)) pieces.push({ kind: 'text', text: r.pick(['%', '_', 'x']) });
  return pieces;
}

function leaf(r: Rand): Leaf {
  const textField = (): TextField => r.pick(['LastName', 'Nickname__c', 'Tier__c'] as const);
  const textValue = (field: TextField): string =>
    caseVariant(r, field === 'Tier__c' ? r.pick(TIERS) : r.pick(WORDS));
  const numberField = (): NumberField => r.pick(['Score__c', 'Visits__c'] as const);
  const numberValue = (field: NumberField): number =>
    field === 'Visits__c' ? r.pick([...VISITS, 5, -1]) : r.pick([...SCORES, 2, -100]);
  switch (r.int(9)) {
    case 0: {
      const field = textField();
      const op = field === 'Tier__c' ? r.pick(['=', '!='] as const) : r.pick(CMPS);
      return {
        kind: 'text',
        field,
        op,
        value: (op === '=' || op === '!=') && r.chance(0.2) ? null : textValue(field),
      };
    }
    case 1: {
      const field = textField();
      const values: Array<string | null> = Array.from({ length: 1 + r.int(3) }, () => textValue(field));
      if (r.chance(0.2)) values.push(null);
      return { kind: 'textIn', field, negate: r.chance(0.4), values };
    }
    case 2:
      return { kind: 'like', field: r.pick(['LastName', 'Nickname__c'] as const), pattern: likePattern(r) };
    case 3: {
      const field = numberField();
      const op = r.pick(CMPS);
      return {
        kind: 'number',
        field,
        op,
        value: (op === '=' || op === '!=') && r.chance(0.2) ? null : numberValue(field),
      };
    }
    case 4: {
      const field = numberField();
      return {
        kind: 'numberIn',
        field,
        negate: r.chance(0.4),
        values: Array.from({ length: 1 + r.int(3) }, () => numberValue(field)),
      };
    }
    case 5:
      return { kind: 'bool', op: r.pick(['=', '!='] as const), value: r.chance(0.5) };
    case 6:
    case 7: {
      const field = r.pick(['Birth_Date__c', 'Last_Seen__c'] as const);
      const op = r.pick(CMPS);
      return {
        kind: 'date',
        field,
        op,
        value: (op === '=' || op === '!=') && r.chance(0.15) ? null : dateValue(r, field),
      };
    }
    default: {
      if (r.chance(0.25)) {
        const set = r.subset(TAGS);
        return {
          kind: 'tagsEq',
          op: r.pick(['=', '!='] as const),
          set: set.length === 0 ? [r.pick(TAGS)] : set,
        };
      }
      const sets = Array.from({ length: 1 + r.int(2) }, () => {
        const set = r.subset(TAGS).map((t) => caseVariant(r, t));
        return set.length === 0 ? [r.pick(TAGS)] : set;
      });
      return { kind: 'includes', negate: r.chance(0.4), sets };
    }
  }
}

// At most two NOTs in a row: the engine refuses longer chains (its parser library loses them).
function clause(r: Rand, depth: number, notsAbove = 0): Clause {
  if (depth <= 0 || r.chance(0.35)) return { kind: 'leaf', leaf: leaf(r) };
  const roll = r.int(5);
  if (roll === 0 && notsAbove < 2) return { kind: 'not', child: clause(r, depth - 1, notsAbove + 1) };
  return {
    kind: roll % 2 === 0 ? 'and' : 'or',
    children: Array.from({ length: 2 + r.int(2) }, () => clause(r, depth - 1)),
  };
}

// ---- rendering to SOQL ---------------------------------------------------------------------------

function escapeText(r: Rand, text: string, inLike: boolean): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "'") out += "\\'";
    else if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += r.chance(0.5) ? '\\"' : '"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (inLike && (ch === '%' || ch === '_')) out += `\\${ch}`;
    else if (code > 127 && code < 0x10000 && r.chance(0.5)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

function renderValue(r: Rand, leafValue: string | number | boolean | null): string {
  if (leafValue === null) return r.pick(['null', 'NULL']);
  if (typeof leafValue === 'string') return `'${escapeText(r, leafValue, false)}'`;
  return String(leafValue);
}

function renderDate(value: DateValue | null): string {
  if (value === null) return 'null';
  if (value.kind === 'date') return value.day;
  if (value.kind === 'datetime') return value.render;
  return value.text;
}

function renderLeaf(r: Rand, l: Leaf): string {
  switch (l.kind) {
    case 'text':
    case 'number':
      return `${l.field} ${l.op === '!=' && r.chance(0.3) ? '<>' : l.op} ${renderValue(r, l.value)}`;
    case 'textIn':
    case 'numberIn':
      return `${l.field} ${l.negate ? 'NOT IN' : 'IN'} (${l.values.map((v) => renderValue(r, v)).join(', ')})`;
    case 'like':
      return `${l.field} LIKE '${l.pattern.map((p) => (p.kind === 'any' ? '%' : p.kind === 'one' ? '_' : escapeText(r, p.text, true))).join('')}'`;
    case 'bool':
      return `Active__c ${l.op} ${r.pick([String(l.value), String(l.value).toUpperCase()])}`;
    case 'date':
      return `${l.field} ${l.op} ${renderDate(l.value)}`;
    case 'includes':
      return `Tags__c ${l.negate ? 'EXCLUDES' : 'INCLUDES'} (${l.sets.map((s) => `'${s.join(';')}'`).join(', ')})`;
    case 'tagsEq':
      return `Tags__c ${l.op} '${[...l.set].reverse().join(';')}'`;
  }
}

function render(r: Rand, c: Clause): string {
  switch (c.kind) {
    case 'leaf': {
      const text = renderLeaf(r, c.leaf);
      return r.chance(0.1) ? `(${text})` : text;
    }
    case 'not':
      return c.child.kind === 'leaf' && r.chance(0.5)
        ? `NOT ${render(r, c.child)}`
        : `NOT (${render(r, c.child)})`;
    default: {
      const parts = c.children.map((child) =>
        child.kind === 'and' || child.kind === 'or' ? `(${render(r, child)})` : render(r, child),
      );
      return parts.join(c.kind === 'and' ? ' AND ' : ' OR ');
    }
  }
}

// ---- the reference semantics -----------------------------------------------------------------

const lower = (s: string) => s.toLowerCase();

function compare(a: string | number, b: string | number, op: Cmp): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** Null fails every comparison; `!=` is the negation of `=`, so a null passes `!= value`. */
function compareNullable(v: string | number | null, target: string | number | null, op: Cmp): boolean {
  if (op === '=' || op === '!=') {
    const equal = v === null || target === null ? v === target : v === target;
    return op === '=' ? equal : !equal;
  }
  if (v === null || target === null) return false;
  return compare(v, target, op);
}

function likeMatches(value: string, pattern: LikePiece[]): boolean {
  const chars = [...lower(value)];
  const tokens: Array<string | 'ANY' | 'ONE'> = [];
  for (const p of pattern) {
    if (p.kind === 'any') tokens.push('ANY');
    else if (p.kind === 'one') tokens.push('ONE');
    else for (const ch of lower(p.text)) tokens.push(ch);
  }
  // match[i][j]: the first i tokens match the first j characters.
  let previous = new Array<boolean>(chars.length + 1).fill(false);
  previous[0] = true;
  for (const token of tokens) {
    const current = new Array<boolean>(chars.length + 1).fill(false);
    for (let j = 0; j <= chars.length; j++) {
      if (token === 'ANY') current[j] = previous[j] === true || (j > 0 && current[j - 1] === true);
      else if (j > 0 && previous[j - 1] === true) current[j] = token === 'ONE' || token === chars[j - 1];
    }
    previous = current;
  }
  return previous[chars.length] === true;
}

function dateRange(value: DateValue, field: 'Birth_Date__c' | 'Last_Seen__c'): [number, number] {
  if (value.kind === 'date') {
    const ms = Date.parse(`${value.day}T00:00:00Z`);
    return [ms, ms + 1];
  }
  if (value.kind === 'datetime') return [value.ms, value.ms + 1];
  const [name, n] = value.text.split(':');
  const count = Number(n ?? 0);
  switch (name) {
    case 'TODAY':
      return [TODAY_MS, TODAY_MS + DAY];
    case 'YESTERDAY':
      return [TODAY_MS - DAY, TODAY_MS];
    case 'TOMORROW':
      return [TODAY_MS + DAY, TODAY_MS + 2 * DAY];
    case 'LAST_N_DAYS':
      return [TODAY_MS - count * DAY, TODAY_MS + DAY];
    case 'NEXT_N_DAYS':
      return [TODAY_MS + DAY, TODAY_MS + DAY + count * DAY];
    default:
      throw new Error(`reference does not know ${value.text} on ${field}`);
  }
}

function evalLeaf(row: Row, l: Leaf): boolean {
  switch (l.kind) {
    case 'text': {
      const v = row[l.field];
      return compareNullable(v === null ? null : lower(v), l.value === null ? null : lower(l.value), l.op);
    }
    case 'textIn': {
      const v = row[l.field];
      const hit = l.values.some((t) => (t === null ? v === null : v !== null && lower(v) === lower(t)));
      return l.negate ? !hit : hit;
    }
    case 'like': {
      const v = row[l.field];
      return v !== null && likeMatches(v, l.pattern);
    }
    case 'number':
      return compareNullable(row[l.field], l.value, l.op);
    case 'numberIn': {
      const v = row[l.field];
      const hit = v !== null && l.values.includes(v);
      return l.negate ? !hit : hit;
    }
    case 'bool':
      return l.op === '=' ? row.Active__c === l.value : row.Active__c !== l.value;
    case 'date': {
      const raw = row[l.field];
      const v = raw === null ? null : typeof raw === 'number' ? raw : Date.parse(`${raw}T00:00:00Z`);
      if (l.value === null) return compareNullable(v, null, l.op);
      const [start, end] = dateRange(l.value, l.field);
      if (v === null) return l.op === '!=';
      switch (l.op) {
        case '=':
          return v >= start && v < end;
        case '!=':
          return !(v >= start && v < end);
        case '<':
          return v < start;
        case '<=':
          return v < end;
        case '>':
          return v >= end;
        case '>=':
          return v >= start;
      }
      return false;
    }
    case 'includes': {
      const have = new Set((row.Tags__c ?? []).map(lower));
      const hit = row.Tags__c !== null && l.sets.some((set) => set.every((t) => have.has(lower(t))));
      return l.negate ? !hit : hit;
    }
    case 'tagsEq': {
      const have = [...new Set((row.Tags__c ?? []).map(lower))].sort().join(';');
      const want = [...new Set(l.set.map(lower))].sort().join(';');
      const equal = row.Tags__c !== null && have === want;
      return l.op === '=' ? equal : !equal;
    }
  }
}

function evaluate(row: Row, c: Clause): boolean {
  switch (c.kind) {
    case 'leaf':
      return evalLeaf(row, c.leaf);
    case 'not':
      return !evaluate(row, c.child);
    case 'and':
      return c.children.every((child) => evaluate(row, child));
    case 'or':
      return c.children.some((child) => evaluate(row, child));
  }
}

// ---- the test ------------------------------------------------------------------------------------

const seed =
  process.env['SOQL_SEED'] !== undefined
    ? Number(process.env['SOQL_SEED'])
    : Math.floor(Math.random() * 2 ** 31);
const ROWS = 160;
const CLAUSES = 300;

test(`engine and reference agree on ${CLAUSES} random WHERE clauses (SOQL_SEED=${seed})`, async (t) => {
  console.log(`soql-differential: SOQL_SEED=${seed}`);
  const r = new Rand(mulberry32(seed));
  const org = await startHttpOrg(t);
  const rows: Row[] = [];
  for (let i = 0; i < ROWS; i++) {
    const values = makeRow(r);
    const id = org.create('Contact', {
      ...values,
      Tags__c: values.Tags__c === null ? null : values.Tags__c.join(';'),
      Last_Seen__c: values.Last_Seen__c === null ? null : new Date(values.Last_Seen__c).toISOString(),
    });
    rows.push({ Id: id, ...values });
  }
  let nonTrivial = 0;
  for (let i = 0; i < CLAUSES; i++) {
    const tree = clause(r, 3);
    const soql = `SELECT Id FROM Contact WHERE ${render(r, tree)}`;
    const expected = rows
      .filter((row) => evaluate(row, tree))
      .map((row) => row.Id)
      .sort();
    let actual: string[];
    try {
      const result = await org.conn.query(soql, { autoFetch: true, maxFetch: ROWS + 1 });
      actual = result.records.map((rec) => String(rec['Id'])).sort();
    } catch (error) {
      assert.fail(`clause ${i} failed (SOQL_SEED=${seed}): ${soql}\n${String(error)}`);
    }
    assert.deepEqual(actual, expected, `clause ${i} disagrees (SOQL_SEED=${seed}): ${soql}`);
    if (expected.length > 0 && expected.length < ROWS) nonTrivial++;
  }
  // Guards the generator itself: most clauses must split the rows, or the comparison proves little.
  assert.ok(nonTrivial > CLAUSES / 2, `only ${nonTrivial} of ${CLAUSES} clauses split the rows`);
});
