import { Call, Task } from '../model/activities.js';
import {
  ActivityTrail,
  activityLink,
  checkRecord,
  checkWorkspace,
  contextVariables,
  createOrUpdate,
  dayOf,
  decided,
  describeOf,
  extraMappedFields,
  fitText,
  linkedDealAndAccount,
  personOf,
  settleWhat,
  subjectLength,
  whoOfPerson,
  writeActivityOwner,
  type ActivityContext,
  type ActivityDecision,
  type WhoSettlement,
} from './activity-decision.js';
import type { RuleId, SalesforceFields } from './decision.js';
import type { ObjectDescribe } from './map-fields.js';
import { renderTitle, type TemplateValues } from './templates.js';
import type { TemplateActivity } from '../settings/template-variables.js';

/*
 * E8 tasks and E9 calls: both become Tasks about the activity's person (WhoId) and its deal or
 * company (WhatId), with an E5 subject. A task or call about nothing in Salesforce is not pushed:
 * a Task with neither WhoId nor WhatId shows on no record, so nobody would ever see it.
 */

export interface TaskActivityInput extends ActivityContext {
  kind: 'task';
  record: Task;
}

export interface CallActivityInput extends ActivityContext {
  kind: 'call';
  record: Call;
}

const TASK_STATUS: Record<Task['status'], string> = { open: 'Not Started', completed: 'Completed' };
const TASK_PRIORITY: Record<Task['priority'], string> = { low: 'Low', normal: 'Normal', high: 'High' };
const CALL_TYPE: Record<Call['direction'], string> = { inbound: 'Inbound', outbound: 'Outbound' };

/** Who and what a task or call is about; refuses one about nothing in Salesforce. */
function whoAndWhat(
  activity: { personId: string | null },
  input: ActivityContext,
  trail: ActivityTrail,
  rule: RuleId,
): { who: WhoSettlement | null; what: string | null } {
  const who = whoOfPerson(activity.personId, input);
  if (who === null) {
    const { opportunityId, accountId } = linkedDealAndAccount(input);
    if (opportunityId === null && accountId === null) {
      const person =
        activity.personId === null
          ? 'it names no person'
          : `its person ${activity.personId} is not in Salesforce`;
      trail.stop(
        'no_linked_record',
        [rule],
        `${trail.label} was not pushed: ${person}, and it has no deal or company in Salesforce, so the Task would show on no record; push the person, company or deal first.`,
      );
    }
  } else if (who.via === 'existing') {
    trail.add(rule, 'who_found', `WhoId is ${who.object} ${who.id} (person ${activity.personId}).`, [who.id]);
  }
  return { who, what: settleWhat(who, input, trail) };
}

function subject<A extends TemplateActivity>(
  activity: A,
  template: string,
  vars: TemplateValues<A>,
  describe: ObjectDescribe,
  trail: ActivityTrail,
): string {
  const title = renderTitle(activity, template, vars, subjectLength(describe));
  if (!title.ok)
    trail.stop(
      'template_invalid',
      ['E5'],
      `${trail.label} was not pushed: ${title.problem} Fix the ${activity} title template.`,
    );
  trail.rule('E5');
  if (title.truncated)
    trail.add(
      'E5',
      'text_truncated',
      `The subject was cut to ${title.title.length} characters, the length of Task.Subject.`,
    );
  return title.title;
}

/** E8: a task becomes a Task with the E5 subject, due date, status and priority. */
export function decideTaskActivity(input: TaskActivityInput): ActivityDecision {
  const task = input.record;
  const trail: ActivityTrail = new ActivityTrail('task', `Task ${task.id}`);
  return decided(() => {
    checkRecord(Task, task, trail, 'E8');
    checkWorkspace(task, input, trail, 'E8');
    if (!input.settings.activities.tasks.pushTasks)
      return trail.skip('push_tasks_off', ['E8'], `${trail.label} was not pushed: "Push tasks" is off.`);
    trail.rule('E8');
    const link = activityLink(input, 'Task', trail);
    const describe = describeOf(input, 'Task', trail);
    const { who, what } = whoAndWhat(task, input, trail, 'E8');
    const fields: SalesforceFields = {
      Subject: subject(
        'task',
        input.settings.activities.tasks.titleTemplate,
        {
          title: task.title,
          type: task.type,
          status: task.status,
          priority: task.priority,
          dueDate: task.dueDate,
          ...contextVariables(personOf(who, input), input, task.ownerId),
        },
        describe,
        trail,
      ),
      Description: fitText(task.body, 'Description', describe, trail, 'body'),
      ActivityDate: task.dueDate,
      Status: TASK_STATUS[task.status],
      Priority: TASK_PRIORITY[task.priority],
      TaskSubtype: 'Task',
      WhoId: who?.via === 'existing' ? who.id : null,
      WhatId: what,
    };
    Object.assign(
      fields,
      extraMappedFields(
        input,
        'Task',
        {
          title: task.title,
          body: task.body,
          dueDate: task.dueDate,
          priority: task.priority,
          status: task.status,
        },
        fields,
        link === null ? 'create' : 'update',
        link?.snapshot ?? null,
        trail,
      ),
    );
    if (link === null) writeActivityOwner(task.ownerId, input, fields, trail);
    return createOrUpdate({
      ctx: input,
      trail,
      kind: 'task',
      object: 'Task',
      localId: task.id,
      link,
      fields,
      who,
      reason: `"Push tasks" is on, so the task is logged as a Task${task.dueDate === null ? '' : ` due ${task.dueDate}`} (E8).`,
    });
  });
}

/** E9: a call becomes a completed Task (`TaskSubtype` Call) with duration, call type and disposition. */
export function decideCallActivity(input: CallActivityInput): ActivityDecision {
  const call = input.record;
  const trail: ActivityTrail = new ActivityTrail('call', `Call ${call.id}`);
  return decided(() => {
    checkRecord(Call, call, trail, 'E9');
    checkWorkspace(call, input, trail, 'E9');
    if (!input.settings.activities.calls.pushCalls)
      return trail.skip('push_calls_off', ['E9'], `${trail.label} was not pushed: "Push calls" is off.`);
    trail.rule('E9');
    const link = activityLink(input, 'Task', trail);
    const describe = describeOf(input, 'Task', trail);
    const { who, what } = whoAndWhat(call, input, trail, 'E9');
    const outcome = call.outcome.trim();
    const fields: SalesforceFields = {
      Subject: subject(
        'call',
        input.settings.activities.calls.titleTemplate,
        {
          outcome: call.outcome,
          direction: call.direction,
          duration: call.durationSeconds,
          durationMinutes: Math.round(call.durationSeconds / 60),
          calledAt: call.calledAt,
          ...contextVariables(personOf(who, input), input, call.ownerId),
        },
        describe,
        trail,
      ),
      Description: fitText(call.notes, 'Description', describe, trail, 'notes'),
      ActivityDate: dayOf(call.calledAt),
      Status: 'Completed',
      TaskSubtype: 'Call',
      CallDurationInSeconds: call.durationSeconds,
      CallType: CALL_TYPE[call.direction],
      CallDisposition:
        outcome === '' ? null : fitText(outcome, 'CallDisposition', describe, trail, 'outcome'),
      WhoId: who?.via === 'existing' ? who.id : null,
      WhatId: what,
    };
    Object.assign(
      fields,
      extraMappedFields(
        input,
        'Task',
        { outcome: call.outcome, notes: call.notes, durationSeconds: call.durationSeconds },
        fields,
        link === null ? 'create' : 'update',
        link?.snapshot ?? null,
        trail,
      ),
    );
    if (link === null) writeActivityOwner(call.ownerId, input, fields, trail);
    return createOrUpdate({
      ctx: input,
      trail,
      kind: 'call',
      object: 'Task',
      localId: call.id,
      link,
      fields,
      who,
      reason: `"Push calls" is on, so the ${call.direction} call of ${call.durationSeconds} seconds is logged as a completed call Task (E9).`,
    });
  });
}
