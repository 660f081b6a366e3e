import {
  checkMappingsAgainstDescribe,
  checkStageMapping,
  MAPPED_OBJECTS,
  type CrmAdapter,
  type Settings,
  type SettingsProblem,
  type Store,
} from '@crmsync/core';

/*
 * Settings checked against the connected org when they are saved or previewed: the D6 stage
 * mapping against the org's `StageName` picklist and the X5 field maps against the objects'
 * describes. Parsing (`parseSettings`) already checked the document itself; this is what only the
 * org can answer. Describes come from the session's cache, so a check costs at most one round of
 * describes per session.
 */

/** D6: the mapping is checked when deals travel or when the admin wrote one (off with no mapping is not checked). */
const checksStages = (settings: Settings): boolean =>
  settings.deals.dealSync !== 'off' || Object.keys(settings.deals.stageMapping).length > 0;

/**
 * Every problem of `settings` against the workspace's org, each with its settings path and a
 * sentence saying what to change; [] when all is well or when the workspace has no connection
 * (there is no org to check against yet; the check runs again on the next save).
 */
export async function checkSettingsAgainstOrg(
  deps: { store: Store; getCrm: (workspaceId: string) => Promise<CrmAdapter> },
  workspaceId: string,
  settings: Settings,
): Promise<SettingsProblem[]> {
  if ((await deps.store.workspace(workspaceId).connection.get()) === null) return [];
  const crm = await deps.getCrm(workspaceId);
  const objects = MAPPED_OBJECTS.filter(
    (o) => settings.fieldMappings[o].length > 0 || (o === 'Opportunity' && checksStages(settings)),
  );
  // Asked together: the adapter answers the describes of one tick with one call.
  const describes = await Promise.all(objects.map((o) => crm.describe(o)));
  return objects.flatMap((object, i) => [
    ...checkMappingsAgainstDescribe(object, settings.fieldMappings[object], describes[i]!),
    ...(object === 'Opportunity' && checksStages(settings)
      ? checkStageMapping(settings.deals.stageMapping, describes[i]!)
      : []),
  ]);
}
