import { MigrateRefused, migrateSqliteToPostgres, type MigrateReport } from '@crmsync/store/migrate';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { describeDatabase, parseDatabaseUrl } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { print } from '../output.js';
import { SystemClock } from '../system-clock.js';
import type { WithConfig } from './types.js';

function printCounts(report: MigrateReport): void {
  for (const w of report.workspaces) {
    print(`Workspace ${w.workspaceId}:`);
    const width = Math.max(...w.counts.map((c) => c.table.length));
    for (const c of w.counts) {
      const mark = c.target === c.source ? 'ok' : c.target > c.source ? 'ok (more in the target)' : 'MISSING';
      print(
        `  ${c.table.padEnd(width)}  ${String(c.source).padStart(9)} -> ${String(c.target).padStart(9)}  ${mark}`,
      );
    }
  }
}

export function migrateCommands(program: Command, withConfig: WithConfig): void {
  program
    .command('migrate')
    .description(
      'copy workspaces from SQLite to PostgreSQL (records, links, log, cursors, settings and history, connection, queued jobs) and verify the counts',
    )
    .requiredOption('--to <url>', 'the PostgreSQL database, postgres://USER@HOST:5432/DATABASE')
    .option(
      '--from <url>',
      'the SQLite database, sqlite:PATH (default: the one DATABASE_URL or DATA_DIR names)',
    )
    .option('--workspace <id>', 'copy this workspace only (default: every workspace)')
    .option(
      '--allow-non-empty',
      'copy into a database that already holds workspaces (a re-run adds what is missing)',
    )
    .action(
      withConfig(
        async (config, o: { to: string; from?: string; workspace?: string; allowNonEmpty?: boolean }) => {
          const from = o.from === undefined ? config.database : parseDatabaseUrl(o.from, '--from');
          const to = parseDatabaseUrl(o.to, '--to');
          if (from.kind !== 'sqlite')
            throw new CliError(
              EXIT.usage,
              '--from must be a SQLite database (sqlite:PATH); crmsync migrates from SQLite to PostgreSQL.',
            );
          if (to.kind !== 'postgres')
            throw new CliError(
              EXIT.usage,
              '--to must be a PostgreSQL database (postgres://USER@HOST:5432/DATABASE).',
            );
          print(`Copying from ${describeDatabase(from)} to ${describeDatabase(to)}.`);
          print(
            'Stop `crmsync serve` and `crmsync worker` on the SQLite database first: later changes there are not copied.',
          );
          let lastLine = '';
          let report: MigrateReport;
          try {
            report = await migrateSqliteToPostgres({
              from: from.file,
              to: to.url,
              ...(o.workspace === undefined ? {} : { workspaces: [o.workspace] }),
              allowNonEmpty: o.allowNonEmpty === true,
              encryptionKey: config.encryptionKey,
              clock: new SystemClock(),
              onProgress: ({ workspaceId, table, copied }) => {
                // One line per table, and every 20,000 rows of a big one.
                const line = `  ${workspaceId} ${table}`;
                if (line !== lastLine || copied % 20_000 === 0) print(`${line}: ${copied} rows`);
                lastLine = line;
              },
            });
          } catch (err) {
            if (err instanceof MigrateRefused) throw new CliError(EXIT.usage, err.message);
            throw err;
          }
          printCounts(report);
          if (!report.verified) {
            print(
              'Some rows are missing in the target (see MISSING above). Run the same command with --allow-non-empty to copy them again.',
            );
            return EXIT.someFailed;
          }
          print(
            `Verified: every table has all its rows in ${describeDatabase(to)}. Now set DATABASE_URL to it and CRMSYNC_ENCRYPTION_KEY to this install's key in every crmsync process.`,
          );
          return EXIT.ok;
        },
      ),
    );
}
