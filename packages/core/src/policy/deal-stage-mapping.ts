import type { SettingsProblem } from '../settings/problems.js';
import type { ObjectDescribe } from './map-fields.js';

/*
 * D6: local deal stages <-> Opportunity `StageName`, through `deals.stageMapping` checked
 * against the org's picklist. Pushing is strict (an unmapped stage is refused with what to fix,
 * because guessing a stage would put a deal in the wrong place of the pipeline and in the wrong
 * forecast); pulling is forgiving (a Salesforce stage no mapping names is kept as it is, because
 * refusing it would lose the deal locally).
 */

/** Stages compare but for case, surrounding spaces and Unicode form, as C3 compares them. */
export function stageKey(stage: string): string {
  return stage.normalize('NFC').trim().toLowerCase();
}

export type StageMapping = Readonly<Record<string, string>>;

export type MappedStage =
  | { ok: true; stageName: string; localStage: string }
  | {
      ok: false;
      code: 'stage_not_mapped' | 'stage_mapping_invalid' | 'stage_field_missing';
      reason: string;
      /** The org's StageName values, for the UI next to the mapping to fix. */
      allowedValues: readonly string[];
    };

function stageField(describe: ObjectDescribe) {
  return describe.fields.find((f) => f.name.toLowerCase() === 'stagename');
}

/** The org's StageName values, or null when the describe has no StageName (a broken or stub describe). */
export function stageNameValues(describe: ObjectDescribe): readonly string[] | null {
  return stageField(describe)?.picklistValues ?? null;
}

const list = (values: readonly string[]): string =>
  values.length === 0 ? '(the org lists none)' : values.map((v) => `"${v}"`).join(', ');

/**
 * D6 at push: the StageName a local stage is sent as, in the org's spelling, or why it cannot
 * be sent (naming the stage, the setting `deals.stageMapping` and the allowed values).
 */
export function mapStageToSalesforce(
  dealLabel: string,
  stage: string,
  mapping: StageMapping,
  describe: ObjectDescribe,
): MappedStage {
  const allowed = stageNameValues(describe);
  if (allowed === null) {
    return {
      ok: false,
      code: 'stage_field_missing',
      reason: `${dealLabel} was not sent: the org's Opportunity describe has no StageName field, so the stage cannot be checked; reload the org's describe (crmsync doctor).`,
      allowedValues: [],
    };
  }
  const key = stageKey(stage);
  const entry = Object.entries(mapping).find(([local]) => stageKey(local) === key);
  if (entry === undefined) {
    return {
      ok: false,
      code: 'stage_not_mapped',
      reason: `${dealLabel} was not sent: its stage "${stage}" has no Salesforce stage in the stage mapping; add "${stage}" to deals.stageMapping with one of the org's StageName values: ${list(allowed)}.`,
      allowedValues: allowed,
    };
  }
  const [local, target] = entry;
  const org = allowed.find((v) => v === target) ?? allowed.find((v) => stageKey(v) === stageKey(target));
  if (org === undefined) {
    return {
      ok: false,
      code: 'stage_mapping_invalid',
      reason: `${dealLabel} was not sent: the stage mapping sends "${local}" to "${target}", which is not a StageName value of the org; change deals.stageMapping["${local}"] to one of ${list(allowed)}.`,
      allowedValues: allowed,
    };
  }
  return { ok: true, stageName: org, localStage: stage };
}

/**
 * D6 at pull: the local stage of a StageName. The first mapping entry that targets it wins (a
 * mapping may send several local stages to one StageName; the first is the one the admin listed
 * first). A StageName no entry targets is kept as the local stage.
 */
export function mapStageFromSalesforce(stageName: string, mapping: StageMapping): string {
  const key = stageKey(stageName);
  const entry = Object.entries(mapping).find(([, target]) => stageKey(target) === key);
  return entry === undefined ? stageName : entry[0];
}

/** D6 on save: every mapping target must be a StageName of the org. */
export function checkStageMapping(mapping: StageMapping, describe: ObjectDescribe): SettingsProblem[] {
  const allowed = stageNameValues(describe);
  if (allowed === null) {
    return [
      {
        path: 'deals.stageMapping',
        message:
          "The org's Opportunity has no StageName field in its describe, so the stage mapping cannot be checked; reload the org's describe.",
      },
    ];
  }
  const keys = new Set(allowed.map(stageKey));
  return Object.entries(mapping)
    .filter(([, target]) => !keys.has(stageKey(target)))
    .map(([local, target]) => ({
      path: `deals.stageMapping.${local}`,
      message: `"${target}" is not a StageName value of the connected org; map the stage "${local}" to one of ${list(allowed)}.`,
    }));
}
