import { CrmsyncError, parseSettings, type Settings, type SettingsProblem } from '@crmsync/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../auth.js';
import type { ServerDeps } from '../deps.js';
import { iso, IsoDate, Limit } from '../schemas.js';

/*
 * Settings: read; write (refused whole with every problem listed, 422); dry-run preview (O2);
 * history (who changed what, when); export and import of a settings document. The document is
 * checked by core's `parseSettings` against the workspace's stage lists, never by a second schema,
 * then by the engine against the connected org (stage picklist, field describes).
 */

const Document = z
  .record(z.string(), z.unknown())
  .describe('A settings document (see the product spec); any known version');
const Problem = z.object({
  path: z.string().describe('Dotted settings path, e.g. deals.stageMapping.Won'),
  message: z.string(),
});
const SettingsOut = z.object({
  version: z.number().int().describe('0 when never saved (then the settings are the defaults)'),
  updatedAt: IsoDate.nullable(),
  updatedBy: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()),
});
const Saved = z.object({
  version: z.number().int(),
  upgradedFrom: z.number().int().nullable(),
  settings: z.record(z.string(), z.unknown()),
});
const ExportDoc = z
  .object({
    format: z.literal('crmsync-settings'),
    exportedAt: IsoDate,
    workspaceId: z.string(),
    settings: z.record(z.string(), z.unknown()),
  })
  .strict();

async function parseFor(
  deps: ServerDeps,
  workspaceId: string,
  document: unknown,
): Promise<{ settings: Settings; upgradedFrom: number | null }> {
  const workspace = await deps.store.workspaces.get(workspaceId);
  const result = parseSettings(document, workspace === null ? {} : { stages: workspace.stages });
  if (!result.ok) throw settingsInvalid(result.problems);
  return { settings: result.settings, upgradedFrom: result.upgradedFrom };
}

function settingsInvalid(problems: SettingsProblem[]): CrmsyncError {
  return new CrmsyncError('SETTINGS_INVALID', { problems });
}

async function save(deps: ServerDeps, workspaceId: string, by: string, document: unknown) {
  const { settings, upgradedFrom } = await parseFor(deps, workspaceId, document);
  // D6, X5: what only the connected org can refuse (a stage or field it lacks) is refused whole too.
  const orgProblems = await deps.engine.checkSettingsAgainstOrg(workspaceId, settings);
  if (orgProblems.length > 0) throw settingsInvalid(orgProblems);
  const version = await deps.store.transaction(workspaceId, (tx) => tx.settings.put(settings, by));
  return { version, upgradedFrom, settings };
}

export const settingsRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  app.get(
    '/settings',
    { schema: { tags: ['settings'], summary: 'The settings in force', response: { 200: SettingsOut } } },
    async (request) => {
      const s = await deps.store.workspace(callerOf(request).workspaceId).settings.get();
      return {
        version: s.version,
        updatedAt: iso(s.updatedAt),
        updatedBy: s.updatedBy,
        settings: s.settings,
      };
    },
  );

  app.put(
    '/settings',
    {
      schema: {
        tags: ['settings'],
        summary: 'Replace the settings; refused whole (422 SETTINGS_INVALID) with every problem and its path',
        body: Document,
        response: { 200: Saved },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return save(deps, caller.workspaceId, caller.label, request.body);
    },
  );

  app.post(
    '/settings/preview',
    {
      schema: {
        tags: ['settings'],
        summary:
          'Dry run (O2): what the new settings would push, skip or change, against the current ones; nothing is saved or sent',
        body: Document,
        response: {
          200: z.object({
            before: z.record(z.string(), z.unknown()),
            after: z.record(z.string(), z.unknown()),
            changed: z.array(
              z.object({ type: z.string(), id: z.string(), before: z.string(), after: z.string() }),
            ),
            problems: z
              .array(Problem)
              .describe('What the connected org refuses in these settings (D6, X5); a save would be refused'),
          }),
        },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      const { settings } = await parseFor(deps, workspaceId, request.body);
      return deps.engine.dryRunSettings(workspaceId, settings);
    },
  );

  app.get(
    '/settings/history',
    {
      schema: {
        tags: ['settings'],
        summary: 'Who changed the settings, when, and the documents before and after; newest first',
        querystring: z.object({ limit: Limit(500, 50) }).strict(),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                version: z.number().int(),
                at: IsoDate,
                by: z.string(),
                before: z.record(z.string(), z.unknown()).nullable(),
                after: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const history = await deps.store
        .workspace(callerOf(request).workspaceId)
        .settings.history(request.query.limit);
      return { items: history.map((h) => ({ ...h, at: h.at.toISOString() })) };
    },
  );

  app.get(
    '/settings/export',
    {
      schema: {
        tags: ['settings'],
        summary: 'The settings as a document to import elsewhere',
        response: { 200: ExportDoc },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      const s = await deps.store.workspace(workspaceId).settings.get();
      return {
        format: 'crmsync-settings' as const,
        exportedAt: deps.clock.now().toISOString(),
        workspaceId,
        settings: s.settings,
      };
    },
  );

  app.post(
    '/settings/import',
    {
      schema: {
        tags: ['settings'],
        summary:
          'Import an exported settings document (checked against this workspace, refused whole when invalid)',
        body: ExportDoc,
        response: { 200: Saved },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return save(deps, caller.workspaceId, `${caller.label} (import)`, request.body.settings);
    },
  );
};
