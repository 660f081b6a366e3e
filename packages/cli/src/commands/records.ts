import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import { CliError } from '../cli-error.js';
import { planImport, readCsv } from '../csv-import.js';
import { isRecordKind, RECORD_KINDS } from '../record-import.js';
import { importRecords } from './import-records.js';
import { followPushAll, queuedPushAll } from './push-all-queued.js';
import { EXIT } from '../exit-codes.js';
import { print, printJson, resolveWorkspace, splitIds } from '../output.js';
import type { WithRuntime } from './types.js';

export function recordCommands(program: Command, run: WithRuntime): void {
  program
    .command('import <kind> <file>')
    .description(
      'import people or companies (CSV), or deals, emails, notes, tasks, calls, meetings, meeting-summaries (CSV or NDJSON); bad rows are reported, good rows kept',
    )
    .option('--workspace <id>')
    .action(
      run(async (rt, kind: string, file: string, o: { workspace?: string }) => {
        if (kind !== 'people' && kind !== 'companies' && !isRecordKind(kind))
          throw new CliError(
            EXIT.usage,
            `Import one of people, companies, ${Object.keys(RECORD_KINDS).join(', ')}; not "${kind}".`,
          );
        const id = await resolveWorkspace(rt, o.workspace);
        let buffer: Buffer;
        try {
          buffer = readFileSync(file);
        } catch (err) {
          throw new CliError(EXIT.usage, `Cannot read ${file}: ${(err as Error).message}`);
        }
        if (isRecordKind(kind)) return importRecords(rt, id, kind, buffer, basename(file));
        const csv = readCsv(kind, buffer, basename(file));
        const plan = await planImport(kind, id, rt.opened.store.workspace(id), csv);
        const results = await rt.engine.ingestMany(
          id,
          plan.changes.map((c) => ({ type: c.type, op: c.op, data: c.data })),
        );
        let saved = 0;
        let failed = plan.notes.filter((n) => n.level === 'error').length;
        let queued = 0;
        for (const note of plan.notes) print(`row ${note.row}: ${note.level}: ${note.message}`);
        results.forEach((r, i) => {
          const row = plan.changes[i]!.row;
          if (r.ok) {
            saved++;
            if (r.queued) queued++;
          } else {
            failed++;
            print(`row ${row}: error: ${r.message}`);
          }
        });
        print(
          `Imported ${saved} record${saved === 1 ? '' : 's'} from ${plan.rows} row${plan.rows === 1 ? '' : 's'} (${queued} queued for push, ${failed} failed).`,
        );
        return failed > 0 ? EXIT.someFailed : EXIT.ok;
      }),
    );

  program
    .command('push')
    .description('push chosen people, companies or deals to Salesforce now (M1: overrides the push settings)')
    .option('--workspace <id>')
    .option('--people <ids>', 'comma-separated person ids')
    .option('--companies <ids>', 'comma-separated company ids')
    .option('--deals <ids>', 'comma-separated deal ids (pushed after the people and companies)')
    .addOption(new Option('--deal <ids>').hideHelp())
    .action(
      run(
        async (
          rt,
          o: { workspace?: string; people?: string; companies?: string; deals?: string; deal?: string },
        ) => {
          const id = await resolveWorkspace(rt, o.workspace);
          const people = splitIds(o.people);
          const companies = splitIds(o.companies);
          const deals = [...splitIds(o.deals), ...splitIds(o.deal)];
          if (people.length + companies.length + deals.length === 0)
            throw new CliError(
              EXIT.usage,
              'Name the records to push with --people IDS, --companies IDS and/or --deals IDS.',
            );
          // People and companies first, so a deal's Account and contact roles find them linked.
          const results = [
            ...(people.length + companies.length > 0
              ? await rt.engine.pushNow(id, { people, companies })
              : []),
            ...(deals.length > 0 ? await rt.engine.pushDealsNow(id, deals) : []),
          ];
          let failed = 0;
          for (const { type, id: recordId, outcome } of results) {
            switch (outcome.status) {
              case 'done': {
                const sfObject = 'sfObject' in outcome ? outcome.sfObject : 'Opportunity';
                print(
                  `${type} ${recordId}: ${outcome.action}${outcome.sfId === null ? '' : ` ${sfObject} ${outcome.sfId}`} [${outcome.rules.join(',')}] ${outcome.reason}`,
                );
                break;
              }
              case 'failed':
                failed++;
                print(
                  `${type} ${recordId}: failed ${outcome.sfCode || outcome.code}${outcome.retryable ? ' (will be retried)' : ''} [${outcome.rules.join(',')}] ${outcome.message}`,
                );
                break;
              case 'budget':
                failed++;
                print(
                  `${type} ${recordId}: waiting for the API budget until ${outcome.resumeAt.toISOString()} [O3] ${outcome.message}`,
                );
                break;
            }
          }
          return failed > 0 ? EXIT.someFailed : EXIT.ok;
        },
      ),
    );

  program
    .command('push-all')
    .description(
      'push every unlinked person now (C9), with progress; resumes after a crash. On PostgreSQL the run is queued in chunks for `crmsync worker` processes and followed until done',
    )
    .option('--workspace <id>')
    .option('--dry-run', 'preview the counts (O2) without writing anything')
    .option('--json', 'print the result as JSON')
    .option('--detach', 'PostgreSQL: queue the run for the workers, print its id and return')
    .option('--chunk-size <n>', 'PostgreSQL: people per chunk job, 1 to 10,000 (default 10,000)')
    .option('--follow <runId>', 'PostgreSQL: follow a queued run until it is done')
    .action(
      run(
        async (
          rt,
          o: {
            workspace?: string;
            dryRun?: boolean;
            json?: boolean;
            detach?: boolean;
            chunkSize?: string;
            follow?: string;
          },
        ) => {
          const id = await resolveWorkspace(rt, o.workspace);
          if (o.dryRun === true) {
            const counts = await rt.engine.dryRunPushAll(id);
            print('Dry run (O2): nothing was sent to Salesforce or saved.');
            printJson(counts);
            return;
          }
          const queued = o.detach === true || o.chunkSize !== undefined || o.follow !== undefined;
          if (rt.config.database.kind === 'postgres') {
            if (o.follow !== undefined) return followPushAll(rt, id, o.follow, o.json === true);
            return queuedPushAll(rt, id, o);
          }
          if (queued)
            throw new CliError(
              EXIT.usage,
              `--detach, --chunk-size and --follow queue push all for \`crmsync worker\` processes on PostgreSQL; on ${rt.config.databaseLabel} push all runs in this command. Drop the option, or set DATABASE_URL=postgres://... (see "Scaling out" in the README).`,
            );
          const bar = process.stderr.isTTY
            ? new cliProgress.SingleBar(
                {
                  format:
                    'push all |{bar}| {value}/{total} people · created {created} · linked {linked} · skipped {skipped} · failed {failed}',
                },
                cliProgress.Presets.shades_classic,
              )
            : null;
          let started = false;
          const result = await rt.engine.pushAll(id, {
            onProgress: (p) => {
              if (bar === null) return;
              if (!started) {
                bar.start(p.total, 0, p);
                started = true;
              }
              bar.setTotal(p.total);
              bar.update(p.done, p);
            },
          });
          bar?.stop();
          if (o.json === true) printJson(result);
          else {
            print(
              `Push all ${result.runId}: ${result.total} people — created ${result.created}, linked to existing ${result.linked}, skipped ${result.skipped}, failed ${result.failed}${result.bulk ? ' (Bulk API 2.0)' : ''}.`,
            );
            for (const r of result.byReason)
              print(`  ${r.count} × ${r.action} [${r.rules.join(',')}] ${r.reason}`);
          }
          return result.failed > 0 ? EXIT.someFailed : EXIT.ok;
        },
      ),
    );
}
