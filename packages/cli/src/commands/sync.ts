import type { LogEntry } from '@crmsync/core';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { print, printJson, resolveWorkspace } from '../output.js';
import type { Runtime } from '../runtime.js';
import type { WithRuntime } from './types.js';

function describeEntry(e: LogEntry): string {
  const target = e.sfId === null ? '' : ` -> ${e.sfObject ?? ''} ${e.sfId}`;
  const error =
    e.errorCode === null ? '' : ` (${e.errorCode}${e.errorMessage === null ? '' : `: ${e.errorMessage}`})`;
  return `${e.at.toISOString()}  ${e.recordType} ${e.recordId}  ${e.action}${target}  [${e.rules.join(',')}] ${e.reason}${error}`;
}

export function syncCommands(program: Command, run: WithRuntime): void {
  program
    .command('pull')
    .description('pull changes from Salesforce now (refused during the configuration window, L1)')
    .option('--workspace <id>')
    .option('--all', 'every change since the cursor (the default)')
    .option('--record <sfId>', 'one Salesforce record')
    .action(
      run(async (rt, o: { workspace?: string; record?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        const report = await rt.engine.pull(id, {
          trigger: 'manual',
          ...(o.record === undefined ? {} : { record: o.record }),
        });
        if (report.status === 'gated') throw new CliError(EXIT.refused, `${report.reason} [${report.rule}]`);
        print(
          `Pulled from org ${report.orgId}: ${
            Object.entries(report.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || 'no changes'
          }.`,
        );
      }),
    );

  program
    .command('sync')
    .description('run the workers until nothing is queued, then exit')
    .option('--workspace <id>')
    .option('--until-idle', 'exit when idle (required)')
    .action(
      run(async (rt, o: { workspace?: string; untilIdle?: boolean }) => {
        if (o.untilIdle !== true)
          throw new CliError(
            EXIT.usage,
            'Use `crmsync sync --until-idle`, or `crmsync worker` to keep running.',
          );
        const id = await resolveWorkspace(rt, o.workspace);
        const { rounds, pushed } = await rt.engine.runUntilIdle(id);
        const counts = await rt.opened.queue.counts(id);
        const gate = await rt.engine.gate(id, 'auto_push');
        print(
          `Idle after ${rounds} round${rounds === 1 ? '' : 's'}: ${pushed} job${pushed === 1 ? '' : 's'} completed; queue: ${counts.total.pending} pending, ${counts.total.retrying} retrying, ${counts.total.failed} failed.`,
        );
        if (!gate.allowed) {
          print(`${gate.reason} [${gate.rule}]`);
          return EXIT.refused;
        }
        return counts.total.failed > 0 ? EXIT.someFailed : EXIT.ok;
      }),
    );

  program
    .command('retry')
    .description('retry failed records after a fix (O4): one, by object or error code, or all')
    .option('--workspace <id>')
    .option('--all')
    .option('--record <type:id>', 'e.g. person:p-1')
    .option('--object <sfObject>', 'e.g. Contact')
    .option('--code <errorCode>', "Salesforce's error code, e.g. FIELD_CUSTOM_VALIDATION_EXCEPTION")
    .action(
      run(
        async (
          rt,
          o: { workspace?: string; all?: boolean; record?: string; object?: string; code?: string },
        ) => {
          const id = await resolveWorkspace(rt, o.workspace);
          let n: number;
          if (o.record !== undefined) {
            const [type, recordId] = o.record.split(':');
            if ((type !== 'person' && type !== 'company') || recordId === undefined)
              throw new CliError(EXIT.usage, '--record takes person:ID or company:ID.');
            n = await rt.engine.retryFailed(id, { record: { type, id: recordId } });
          } else if (o.object !== undefined || o.code !== undefined) {
            n = await rt.engine.retryFailed(id, {
              ...(o.object === undefined ? {} : { sfObject: o.object as never }),
              ...(o.code === undefined ? {} : { errorCode: o.code }),
            });
          } else if (o.all === true) {
            n = await rt.engine.retryFailed(id, { all: true });
          } else
            throw new CliError(
              EXIT.usage,
              'Say what to retry: --record person:ID, --object Contact, --code CODE, or --all.',
            );
          print(`${n} failed record${n === 1 ? '' : 's'} queued again.`);
        },
      ),
    );

  for (const [name, description] of [
    ['pause', 'stop all traffic to Salesforce, manual push included; nothing queued is lost (L3)'],
    ['resume', 'resume after a pause (L3)'],
    ['disconnect', 'stop traffic and keep the links for a reconnect to the same org (L3)'],
    ['start-syncing-now', 'end the configuration window early (L2)'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .option('--workspace <id>')
      .action(
        run(async (rt, o: { workspace?: string }) => {
          const id = await resolveWorkspace(rt, o.workspace);
          const lc = rt.engine.lifecycle;
          const state =
            name === 'pause'
              ? await lc.pause(id)
              : name === 'resume'
                ? await lc.resume(id)
                : name === 'disconnect'
                  ? await rt.engine.disconnect(id)
                  : await lc.startSyncingNow(id);
          print(`Workspace ${id}: ${state.state}.`);
        }),
      );
  }

  program
    .command('log')
    .description('the decision log: why each record did or did not sync (O1)')
    .option('--workspace <id>')
    .option('--record <type:id>', 'one record, e.g. person:p-1')
    .option('--failed', 'only failures')
    .option('--rule <id>', 'only entries where this rule applied, e.g. C3')
    .option('--limit <n>', 'entries to show', '50')
    .option('--json')
    .action(
      run(
        async (
          rt,
          o: {
            workspace?: string;
            record?: string;
            failed?: boolean;
            rule?: string;
            limit: string;
            json?: boolean;
          },
        ) => {
          const id = await resolveWorkspace(rt, o.workspace);
          const [type, recordId] = o.record?.split(':') ?? [];
          const page = await rt.opened.store.workspace(id).log.list({
            ...(type !== undefined && recordId !== undefined
              ? { record: { type: type as never, id: recordId } }
              : {}),
            ...(o.failed === true ? { failed: true } : {}),
            ...(o.rule === undefined ? {} : { rule: o.rule }),
            limit: Math.max(1, Number(o.limit) || 50),
          });
          if (o.json === true) printJson(page.items);
          else if (page.items.length === 0) print('No log entries match.');
          else for (const e of page.items) print(describeEntry(e));
        },
      ),
    );

  program
    .command('status')
    .description('window, queue, failures and API budget')
    .option('--workspace <id>')
    .action(
      run(async (rt, o: { workspace?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        const reader = rt.opened.store.workspace(id);
        const connection = await reader.connection.get();
        if (connection === null) {
          print(`Workspace ${id}: not connected. Run \`crmsync connect --emulator\` or connect a real org.`);
          return EXIT.notConfigured;
        }
        const state = await rt.engine.lifecycle.state(id);
        const counts = await rt.opened.queue.counts(id);
        const used = await reader.ledger.sumLast24Hours(connection.orgId);
        const settings = (await reader.settings.get()).settings;
        print(`Workspace ${id}: org ${connection.orgId} at ${connection.instanceUrl}`);
        print(
          `  state: ${state.state}${state.windowEndsAt !== null && state.state === 'configuring' ? ` until ${state.windowEndsAt.toISOString()}` : ''}`,
        );
        print(
          `  queue: ${counts.total.pending} pending, ${counts.total.retrying} retrying, ${counts.total.leased} in progress, ${counts.total.failed} failed`,
        );
        print(
          `  API: ${used} Salesforce calls in the last 24 hours (budget ${settings.apiBudget.sharePercent}% of the org's allocation, reserve ${settings.apiBudget.reservePercent}%)`,
        );
      }),
    );

  program
    .command('doctor')
    .description('check permissions, the Crmsync_Id__c external-id field and the source picklists')
    .option('--workspace <id>')
    .option('--json')
    .action(
      run(async (rt, o: { workspace?: string; json?: boolean }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        const report = await (await rt.engine.crm(id)).doctor();
        if (o.json === true) {
          printJson(report);
          return;
        }
        print(`Org ${report.identity.orgId}, integration user ${report.identity.userId}`);
        for (const p of report.objects) {
          const can = (['createable', 'updateable', 'deletable', 'queryable'] as const).filter((k) => p[k]);
          print(
            `  ${p.object}: ${p.exists ? (can.length === 4 ? 'full access' : `only ${can.join(', ') || 'no access'}`) : 'not visible to the integration user'}`,
          );
        }
        const missing = report.externalId.objects.filter((x) => !x.usable);
        print(
          missing.length === 0
            ? `  ${report.externalId.field}: present on every object; creates are upserts (X4).`
            : `  ${report.externalId.field}: missing or unusable on ${missing.map((x) => x.object).join(', ')}; crmsync records an intent and reconciles instead (X4). ${report.externalId.howToCreate}`,
        );
        for (const s of report.sourcePicklists) {
          print(
            `  ${s.object}.${s.field}: ${s.exists ? `${s.restricted ? 'restricted' : 'unrestricted'} picklist (${s.values.slice(0, 8).join(', ')}${s.values.length > 8 ? ', ...' : ''})` : 'missing'}`,
          );
        }
        if (report.apiUsage !== null)
          print(`  API usage today: ${report.apiUsage.used} of ${report.apiUsage.max}`);
        return missing.length > 0 ? EXIT.someFailed : EXIT.ok;
      }),
    );
}
