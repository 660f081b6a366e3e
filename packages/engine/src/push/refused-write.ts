import type { CrmWriteResult } from '@crmsync/core';

/**
 * A write Salesforce refused, as the failed outcome of a push (O4): its first error names the
 * code and the fields, and the message says whether crmsync retries it or a person must act.
 * `prefix` starts the message (e.g. which call of a record failed).
 */
export function refusedWrite(
  r: Extract<CrmWriteResult, { outcome: 'failed' }>,
  rules: readonly string[],
  prefix = '',
) {
  const first = r.errors[0];
  const sfCode = first?.statusCode ?? r.classification.sfCode;
  const sfMessage = first?.message ?? r.classification.sfMessage;
  const fields =
    first !== undefined && first.fields.length > 0 ? ` (fields: ${first.fields.join(', ')})` : '';
  return {
    status: 'failed' as const,
    retryable: r.classification.retryable,
    classification: r.classification,
    code: r.classification.code,
    sfCode,
    message: `${prefix}Salesforce refused it: ${sfCode}: ${sfMessage}${fields}.${r.classification.retryable ? ' crmsync retries it later (O4).' : ' Fix the cause, then retry it (crmsync retry).'}`,
    rules,
  };
}
