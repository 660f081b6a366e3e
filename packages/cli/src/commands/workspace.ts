import { readFileSync, writeFileSync } from 'node:fs';
import { parseSettings, Workspace } from '@crmsync/core';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { print, printJson, resolveWorkspace, splitIds } from '../output.js';
import type { WithRuntime } from './types.js';

export function workspaceCommands(program: Command, run: WithRuntime): void {
  const ws = program.command('workspace').description('create and list workspaces (one per sales team)');
  ws.command('create <id>')
    .description('create a workspace')
    .requiredOption('--name <name>', 'display name')
    .option('--mailbox-domains <domains>', 'comma-separated domains of the team mailboxes (E2)')
    .option('--people-stages <stages>', 'comma-separated person stages')
    .option('--company-stages <stages>', 'comma-separated company stages')
    .option('--deal-stages <stages>', 'comma-separated deal stages')
    .action(
      run(
        async (
          rt,
          id: string,
          o: {
            name: string;
            mailboxDomains?: string;
            peopleStages?: string;
            companyStages?: string;
            dealStages?: string;
          },
        ) => {
          const parsed = Workspace.safeParse({
            id,
            name: o.name,
            mailboxDomains: splitIds(o.mailboxDomains),
            stages: {
              people: splitIds(o.peopleStages),
              companies: splitIds(o.companyStages),
              deals: splitIds(o.dealStages),
            },
          });
          if (!parsed.success)
            throw new CliError(
              EXIT.usage,
              `The workspace is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
            );
          if ((await rt.opened.store.workspaces.get(id)) !== null)
            throw new CliError(EXIT.usage, `Workspace "${id}" already exists.`);
          await rt.opened.store.workspaces.create(parsed.data);
          print(`Created workspace ${id} (${o.name}).`);
        },
      ),
    );
  ws.command('list')
    .description('list workspaces')
    .action(
      run(async (rt) => {
        for (const w of await rt.opened.store.workspaces.list()) print(`${w.id}\t${w.name}`);
      }),
    );

  const settings = program.command('settings').description('show or change the push settings');
  settings
    .command('show')
    .option('--workspace <id>')
    .action(
      run(async (rt, o: { workspace?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        printJson((await rt.opened.store.workspace(id).settings.get()).settings);
      }),
    );
  settings
    .command('history')
    .description('who changed the settings, when, and the documents before and after; newest first')
    .option('--workspace <id>')
    .option('--limit <n>', 'how many changes (default 20)', '20')
    .action(
      run(async (rt, o: { workspace?: string; limit: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new CliError(EXIT.usage, `--limit must be a whole number above 0, got "${o.limit}".`);
        const history = await rt.opened.store.workspace(id).settings.history(limit);
        if (history.length === 0) print('The settings were never changed: the defaults are in force.');
        for (const h of history) print(`version ${h.version}\t${h.at.toISOString()}\tby ${h.by}`);
      }),
    );
  settings
    .command('export')
    .description('write the settings as a document to import elsewhere (as GET /api/v1/settings/export)')
    .option('--workspace <id>')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(
      run(async (rt, o: { workspace?: string; out?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        const doc = {
          format: 'crmsync-settings',
          exportedAt: rt.clock.now().toISOString(),
          workspaceId: id,
          settings: (await rt.opened.store.workspace(id).settings.get()).settings,
        };
        if (o.out === undefined) return printJson(doc);
        writeFileSync(o.out, `${JSON.stringify(doc, null, 2)}\n`);
        print(`Exported the settings of ${id} to ${o.out}.`);
      }),
    );
  settings
    .command('set <file>')
    .description('replace the settings with a JSON document; refused whole, with every problem, when invalid')
    .option('--workspace <id>')
    .option('--dry-run', 'preview what the change would push (O2) without saving it')
    .action(
      run(async (rt, file: string, o: { workspace?: string; dryRun?: boolean }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        let doc: unknown;
        try {
          doc = JSON.parse(readFileSync(file, 'utf8'));
        } catch (err) {
          throw new CliError(EXIT.usage, `${file} could not be read as JSON: ${(err as Error).message}`);
        }
        const workspace = await rt.opened.store.workspaces.get(id);
        const result = parseSettings(doc, workspace === null ? {} : { stages: workspace.stages });
        if (!result.ok) {
          print(
            `The settings in ${file} were refused (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}); nothing was saved:`,
          );
          for (const p of result.problems) print(`  ${p.path || '(document)'}: ${p.message}`);
          throw new CliError(EXIT.usage, 'Fix the problems above and run the command again.');
        }
        if (o.dryRun === true) {
          const preview = await rt.engine.dryRunSettings(id, result.settings);
          print('Dry run (O2): decisions over every record, before -> after. Nothing was saved or sent.');
          printJson(preview);
          return;
        }
        const version = await rt.opened.store.transaction(id, (tx) =>
          tx.settings.put(result.settings, process.env.USER ?? 'cli'),
        );
        print(
          `Saved settings version ${version}${result.upgradedFrom === null ? '' : ` (upgraded from version ${result.upgradedFrom})`}.`,
        );
      }),
    );

  settings
    .command('import <file>')
    .description(
      'import a document written by `settings export` (checked against this workspace, refused whole)',
    )
    .option('--workspace <id>')
    .action(
      run(async (rt, file: string, o: { workspace?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        let doc: { format?: unknown; settings?: unknown };
        try {
          doc = JSON.parse(readFileSync(file, 'utf8')) as typeof doc;
        } catch (err) {
          throw new CliError(EXIT.usage, `${file} could not be read as JSON: ${(err as Error).message}`);
        }
        if (doc?.format !== 'crmsync-settings' || typeof doc.settings !== 'object' || doc.settings === null)
          throw new CliError(
            EXIT.usage,
            `${file} is not a settings export (no "format": "crmsync-settings" with "settings"); write one with \`crmsync settings export\`, or use \`crmsync settings set\` for a bare settings document.`,
          );
        const workspace = await rt.opened.store.workspaces.get(id);
        const result = parseSettings(doc.settings, workspace === null ? {} : { stages: workspace.stages });
        if (!result.ok) {
          print(
            `The settings in ${file} were refused (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}); nothing was saved:`,
          );
          for (const p of result.problems) print(`  ${p.path || '(document)'}: ${p.message}`);
          throw new CliError(EXIT.usage, 'Fix the problems above and run the command again.');
        }
        const version = await rt.opened.store.transaction(id, (tx) =>
          tx.settings.put(result.settings, `${process.env.USER ?? 'cli'} (import)`),
        );
        print(`Imported the settings from ${file} as version ${version}.`);
      }),
    );
}
