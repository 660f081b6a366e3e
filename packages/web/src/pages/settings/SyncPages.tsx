import { useApp } from '../../app-context.js';
import { NumberField, RadioGroup, Section } from '../../ui.js';
import { FieldMappingEditor, StageMappingEditor } from './MappingEditors.js';
import { bool } from './SettingsBool.js';
import { SettingsForm } from './SettingsForm.js';

/* Settings pages for mapping, pull, matching, the API budget and the configuration window. */

export function FieldMappingPage() {
  return (
    <SettingsForm
      title="Field mapping"
      affectsPush
      intro={<p>Which crmsync field fills which Salesforce field, per object, and how (X5, X6).</p>}
    >
      {(d) => <Section title="Fields">{<FieldMappingEditor draft={d} />}</Section>}
    </SettingsForm>
  );
}

export function StageMappingPage() {
  const { workspace } = useApp();
  return (
    <SettingsForm title="Stage mapping" affectsPush intro={<p>Deal stages as Opportunity stages (D6).</p>}>
      {(d) => (
        <Section title="Stages">
          <StageMappingEditor stages={workspace?.stages.deals ?? null} draft={d} />
        </Section>
      )}
    </SettingsForm>
  );
}

export function PullPage() {
  return (
    <SettingsForm
      title="Pull"
      affectsPush={false}
      intro={<p>What crmsync reads back from Salesforce, and how often (P1-P4).</p>}
    >
      {(d) => (
        <Section title="Pull">
          <NumberField
            label="Check Salesforce every"
            unit="minutes"
            min={1}
            max={1440}
            value={d.get<number>('pull.pollIntervalMinutes')}
            onChange={(v) => d.set('pull.pollIntervalMinutes', v)}
          />
          <fieldset className="field checks">
            <legend>Records to pull</legend>
            {bool(d, 'pull.pullRecords.contacts', 'Contacts')}
            {bool(d, 'pull.pullRecords.leads', 'Leads')}
            {bool(d, 'pull.pullRecords.accounts', 'Accounts')}
          </fieldset>
          {bool(d, 'pull.inferLeadAccounts', "Infer a lead's company from its Company field")}
        </Section>
      )}
    </SettingsForm>
  );
}

export function MatchingPage() {
  return (
    <SettingsForm
      title="Matching"
      affectsPush
      intro={<p>When a record matches several Salesforce records (X3).</p>}
    >
      {(d) => (
        <Section title="Tie-break">
          <RadioGroup
            legend="When several Salesforce records match, use"
            value={d.get<string>('matching.tieBreak') as 'oldest'}
            onChange={(v) => d.set('matching.tieBreak', v)}
            options={
              [
                { value: 'oldest', label: 'The oldest record' },
                { value: 'most_recently_modified', label: 'The most recently modified record' },
                { value: 'random', label: 'Any one of them' },
              ] as { value: 'oldest'; label: string }[]
            }
          />
        </Section>
      )}
    </SettingsForm>
  );
}

export function ApiBudgetPage() {
  const { connection } = useApp();
  return (
    <SettingsForm
      title="API budget"
      affectsPush={false}
      intro={<p>How much of the org's daily API allocation crmsync may use (O3).</p>}
    >
      {(d) => (
        <Section title="Budget">
          <NumberField
            label="crmsync's share of the daily allocation"
            unit="%"
            min={1}
            max={100}
            value={d.get<number>('apiBudget.sharePercent')}
            onChange={(v) => d.set('apiBudget.sharePercent', v)}
          />
          <NumberField
            label="Stop when the org has less than this left"
            unit="%"
            min={0}
            max={50}
            value={d.get<number>('apiBudget.reservePercent')}
            onChange={(v) => d.set('apiBudget.reservePercent', v)}
          />
          {connection !== null && (
            <p className="muted">
              In the last 24 hours crmsync made {connection.apiUsage.last24Hours.toLocaleString()} API
              requests.
            </p>
          )}
        </Section>
      )}
    </SettingsForm>
  );
}

export function WindowPage() {
  return (
    <SettingsForm
      title="Configuration window"
      affectsPush={false}
      intro={<p>After connecting, automatic sync waits this long so you can review the settings (L1).</p>}
    >
      {(d) => (
        <Section title="Window">
          <NumberField
            label="Configuration window"
            unit="hours"
            min={0}
            max={720}
            value={d.get<number>('lifecycle.configurationWindowHours')}
            onChange={(v) => d.set('lifecycle.configurationWindowHours', v)}
            hint="0 starts syncing as soon as Salesforce is connected."
          />
          <NumberField
            label="Keep the sync log for"
            unit="days"
            min={1}
            max={3650}
            value={d.get<number>('log.retentionDays')}
            onChange={(v) => d.set('log.retentionDays', v)}
          />
        </Section>
      )}
    </SettingsForm>
  );
}
