// Chooses how to find candidate rows: an index lookup when the WHERE clause pins an indexed field
// with = or IN at its top level (alone or inside an AND), else a full scan. The compiled filter
// still runs on every candidate, so a lookup only has to return a superset of the matches.
import type { FieldMeta, QueryableOrg, SObjectRecord } from '../contracts.js';
import type { BoundCondition } from './bind-filter.js';
import type { BoolTree } from './where-tree.js';

export type AccessPlan = { kind: 'lookup'; field: string; values: unknown[] } | { kind: 'scan' };

function lookupValues(condition: BoundCondition): unknown[] | undefined {
  if (condition.path.hops.length > 0) return undefined;
  if (condition.operator !== '=' && condition.operator !== 'IN') return undefined;
  if (condition.valueKind !== 'text' && condition.valueKind !== 'id' && condition.valueKind !== 'number')
    return undefined;
  const values: unknown[] = [];
  for (const operand of condition.operands) {
    if (operand.kind !== 'text' && operand.kind !== 'number') return undefined;
    values.push(operand.value);
  }
  return values;
}

// Id first, then fields Salesforce indexes for certain, then anything the org may index.
function rank(field: FieldMeta): number {
  if (field.type === 'id') return 0;
  if (field.externalId || field.unique) return 1;
  if (field.idLookup) return 2;
  return 3;
}

/** The indexable conditions of the tree, best first. */
export function indexableConditions(
  tree: BoolTree<BoundCondition> | undefined,
): Array<{ condition: BoundCondition; values: unknown[] }> {
  if (tree === undefined) return [];
  const top = tree.kind === 'and' ? tree.children : [tree];
  const out: Array<{ condition: BoundCondition; values: unknown[] }> = [];
  for (const node of top) {
    if (node.kind !== 'condition') continue;
    const values = lookupValues(node.condition);
    if (values !== undefined) out.push({ condition: node.condition, values });
  }
  return out.sort((a, b) => rank(a.condition.path.field) - rank(b.condition.path.field));
}

/** Candidate rows for the filter: the first index lookup the org can answer, else every row. */
export function candidateRows(
  org: QueryableOrg,
  objectName: string,
  tree: BoolTree<BoundCondition> | undefined,
  includeDeleted: boolean,
): { plan: AccessPlan; rows: Iterable<SObjectRecord> } {
  for (const { condition, values } of indexableConditions(tree)) {
    const field = condition.path.field.name;
    const found = org.lookup(objectName, field, values, includeDeleted);
    if (found === undefined) continue;
    const seen = new Set<string>();
    const rows = found.filter((r) => !seen.has(r.Id) && seen.add(r.Id) !== undefined);
    return { plan: { kind: 'lookup', field, values }, rows };
  }
  return { plan: { kind: 'scan' }, rows: org.scan(objectName, includeDeleted) };
}
