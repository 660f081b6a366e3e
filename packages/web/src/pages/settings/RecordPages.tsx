import { useApp } from '../../app-context.js';
import { RadioGroup, Section, TextField } from '../../ui.js';
import { bool } from './SettingsBool.js';
import { SettingsForm } from './SettingsForm.js';
import { StagePicker } from './StagePicker.js';

/* Settings pages for people, companies and deals (C, A and D rules). */

export function ContactsPage() {
  const { workspace } = useApp();
  return (
    <SettingsForm
      title="Contacts and Leads"
      affectsPush
      intro={<p>Which people crmsync pushes to Salesforce, and as which object (C2-C11).</p>}
    >
      {(d) => (
        <>
          <Section title="Push">
            {bool(
              d,
              'contacts.pushContacts',
              'Push people to Salesforce',
              'Off: people are only pushed by hand (People list).',
            )}
            <RadioGroup
              legend="Which people"
              value={d.get<'all' | 'stages'>('contacts.pushMode')}
              onChange={(v) => d.set('contacts.pushMode', v)}
              options={[
                { value: 'all', label: 'Everyone' },
                { value: 'stages', label: 'Only people at the stages below' },
              ]}
            />
            {d.get('contacts.pushMode') === 'stages' && (
              <StagePicker
                legend="People stages to push"
                known={workspace?.stages.people ?? null}
                value={d.get<string[]>('contacts.stages')}
                onChange={(v) => d.set('contacts.stages', v)}
              />
            )}
            <RadioGroup
              legend="Create new people in Salesforce as"
              value={d.get<'contact' | 'lead'>('contacts.createAs')}
              onChange={(v) => d.set('contacts.createAs', v)}
              options={[
                { value: 'contact', label: 'Contacts', hint: 'with their Account' },
                { value: 'lead', label: 'Leads' },
              ]}
            />
            {bool(d, 'contacts.pushGuessedEmails', 'Push people whose email is only guessed')}
          </Section>
          <Section title="Source and placeholders">
            <TextField
              label="Source field"
              value={d.get<string>('contacts.sourceField')}
              onChange={(v) => d.set('contacts.sourceField', v)}
            />
            <TextField
              label="Source value"
              value={d.get<string>('contacts.sourceValue')}
              onChange={(v) => d.set('contacts.sourceValue', v)}
            />
            <TextField
              label="Lead company when unknown"
              value={d.get<string>('contacts.leadCompanyPlaceholder')}
              onChange={(v) => d.set('contacts.leadCompanyPlaceholder', v)}
              hint="Salesforce requires a Company on every Lead."
            />
          </Section>
          <Section title="Deletions and merges">
            {bool(d, 'contacts.deletionSync', 'Delete people in crmsync when they are deleted in Salesforce')}
            {bool(d, 'contacts.mergeSync', 'Merge people in crmsync when they are merged in Salesforce')}
          </Section>
        </>
      )}
    </SettingsForm>
  );
}

export function AccountsPage() {
  const { workspace } = useApp();
  return (
    <SettingsForm
      title="Accounts"
      affectsPush
      intro={<p>Which companies become Salesforce Accounts (A1-A5).</p>}
    >
      {(d) => (
        <>
          <Section title="Push">
            {bool(d, 'accounts.pushAccounts', 'Push companies to Salesforce as Accounts')}
            <RadioGroup
              legend="Which companies"
              value={d.get<'all' | 'stages'>('accounts.pushMode')}
              onChange={(v) => d.set('accounts.pushMode', v)}
              options={[
                { value: 'all', label: 'Every company' },
                { value: 'stages', label: 'Only companies at the stages below' },
              ]}
            />
            {d.get('accounts.pushMode') === 'stages' && (
              <StagePicker
                legend="Company stages to push"
                known={workspace?.stages.companies ?? null}
                value={d.get<string[]>('accounts.stages')}
                onChange={(v) => d.set('accounts.stages', v)}
              />
            )}
          </Section>
          <Section title="Source">
            <TextField
              label="Source field"
              value={d.get<string>('accounts.sourceField')}
              onChange={(v) => d.set('accounts.sourceField', v)}
            />
            <TextField
              label="Source value"
              value={d.get<string>('accounts.sourceValue')}
              onChange={(v) => d.set('accounts.sourceValue', v)}
            />
          </Section>
          <Section title="Deletions and merges">
            {bool(
              d,
              'accounts.deletionSync',
              'Delete companies in crmsync when they are deleted in Salesforce',
            )}
            {bool(d, 'accounts.mergeSync', 'Merge companies in crmsync when they are merged in Salesforce')}
          </Section>
        </>
      )}
    </SettingsForm>
  );
}

export function DealsPage() {
  return (
    <SettingsForm
      title="Deals and Opportunities"
      affectsPush
      intro={<p>How deals and Salesforce Opportunities stay in step (D1-D5).</p>}
    >
      {(d) => (
        <Section title="Deal sync">
          <RadioGroup
            legend="Deal sync"
            value={d.get<string>('deals.dealSync') as 'off'}
            onChange={(v) => d.set('deals.dealSync', v)}
            options={
              [
                { value: 'off', label: 'Off' },
                { value: 'bidirectional', label: 'Both ways', hint: 'Salesforce wins a conflict' },
                { value: 'pull', label: 'Pull Opportunities only' },
                { value: 'push', label: 'Push deals only' },
              ] as { value: 'off'; label: string; hint?: string }[]
            }
          />
          {bool(d, 'deals.hideDeals', 'Hide deals pulled from Salesforce', 'Hidden deals keep syncing.')}
        </Section>
      )}
    </SettingsForm>
  );
}
