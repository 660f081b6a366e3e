import { useEffect, useState, type FormEvent } from 'react';
import type { ConnectionState } from '../api.js';
import { useApp } from '../app-context.js';
import { navigate } from '../router.js';
import {
  Button,
  ErrorNotice,
  formatDateTime,
  Notice,
  PageHeader,
  RadioGroup,
  Section,
  TextField,
} from '../ui.js';

/*
 * Connect Salesforce. The usual way is the OAuth web-server flow with PKCE: the server starts it
 * (keeping the state and code verifier), the browser signs in on Salesforce's page, Salesforce
 * sends it to the server's callback, which trades the code for tokens and sends the browser back
 * here with ?connected=<org id> or ?error=<what went wrong>.
 * Integration-user credentials and the built-in emulator go through POST /connection.
 */

const OAUTH_START = '/connection/oauth/start';

type Environment = 'production' | 'sandbox' | 'custom';
const LOGIN_URLS: Record<Exclude<Environment, 'custom'>, string> = {
  production: 'https://login.salesforce.com',
  sandbox: 'https://test.salesforce.com',
};
type Method = 'oauth' | 'password' | 'emulator';

export function ConnectSalesforce() {
  const { api, connection, refreshConnection } = useApp();
  const [method, setMethod] = useState<Method>('oauth');
  const [environment, setEnvironment] = useState<Environment>('production');
  const [customUrl, setCustomUrl] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<ConnectionState | null>(null);
  const [connectedOrg, setConnectedOrg] = useState<string | null>(null);

  const loginUrl = environment === 'custom' ? customUrl.trim() : LOGIN_URLS[environment];

  // Back from Salesforce's sign-in page: the server finished the flow and sent the browser here.
  useEffect(() => {
    const p = new URLSearchParams(location.search);
    const orgId = p.get('connected');
    const problem = p.get('error');
    if (orgId === null && problem === null) return;
    navigate('/connect', { replace: true });
    if (problem !== null) setError(new Error(problem));
    else {
      setConnectedOrg(orgId);
      void refreshConnection();
    }
  }, [refreshConnection]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      if (method === 'oauth') {
        const started = await api.post<{ authorizeUrl: string }>(OAUTH_START, {
          ...(environment === 'custom' ? { loginUrl } : { environment }),
          clientId: clientId.trim(),
          ...(clientSecret.trim() === '' ? {} : { clientSecret: clientSecret.trim() }),
          returnTo: `${location.origin}/connect`,
        });
        location.assign(started.authorizeUrl);
        return;
      }
      const body =
        method === 'emulator'
          ? { emulator: true }
          : {
              loginUrl,
              clientId: clientId.trim(),
              clientSecret: clientSecret.trim(),
              username: username.trim(),
              password,
            };
      setDone(await api.post<ConnectionState>('/connection', body));
      await refreshConnection();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  }

  const current = connection?.connection ?? null;
  return (
    <>
      <PageHeader title="Connect Salesforce">
        <p>
          crmsync signs in to Salesforce once and keeps the tokens encrypted. After connecting, the
          configuration window gives you time to review the settings before anything syncs automatically.
        </p>
      </PageHeader>
      {current !== null && current.state !== 'disconnected' && connectedOrg === null && done === null && (
        <Notice kind="info" title="Connected">
          Org {current.orgId} at {current.instanceUrl}, since {formatDateTime(current.connectedAt)}.
          Connecting again replaces this connection.
        </Notice>
      )}
      {connectedOrg !== null && (
        <Notice kind="success" title="Salesforce is connected">
          Signed in to org {connectedOrg}. Review the settings before automatic sync starts.
        </Notice>
      )}
      {done !== null && (
        <Notice kind="success" title="Salesforce is connected">
          Org {done.orgId}.{' '}
          {done.state === 'configuring'
            ? 'The configuration window has started: review the settings, then start syncing.'
            : 'Sync is on.'}
        </Notice>
      )}
      <form onSubmit={submit} aria-label="Connect Salesforce">
        <Section title="How to connect">
          <RadioGroup
            legend="Connection method"
            value={method}
            onChange={setMethod}
            options={[
              { value: 'oauth', label: 'Sign in with Salesforce', hint: 'OAuth with PKCE; recommended' },
              {
                value: 'password',
                label: 'Integration user credentials',
                hint: 'username, password and security token',
              },
              {
                value: 'emulator',
                label: 'Built-in Salesforce emulator',
                hint: 'a fresh local org, nothing leaves this machine',
              },
            ]}
          />
        </Section>
        {method !== 'emulator' && (
          <Section title="Salesforce org">
            <RadioGroup
              legend="Environment"
              value={environment}
              onChange={setEnvironment}
              options={[
                { value: 'production', label: 'Production', hint: 'login.salesforce.com' },
                { value: 'sandbox', label: 'Sandbox', hint: 'test.salesforce.com' },
                { value: 'custom', label: 'My Domain or another login URL' },
              ]}
            />
            {environment === 'custom' && (
              <TextField
                label="Login URL"
                type="url"
                value={customUrl}
                onChange={setCustomUrl}
                placeholder="https://acme.my.salesforce.com"
              />
            )}
            <TextField
              label="Consumer key"
              value={clientId}
              onChange={setClientId}
              spellCheck={false}
              hint={`From the connected app (Setup › App Manager). Its callback URL must be ${location.origin}/api/v1/connection/oauth/callback.`}
            />
            <TextField
              label="Consumer secret"
              type="password"
              value={clientSecret}
              onChange={setClientSecret}
              {...(method === 'oauth' ? { hint: 'Only if the connected app requires it.' } : {})}
            />
            {method === 'password' && (
              <>
                <TextField label="Username" value={username} onChange={setUsername} autoComplete="off" />
                <TextField
                  label="Password and security token"
                  type="password"
                  value={password}
                  onChange={setPassword}
                  autoComplete="off"
                />
              </>
            )}
          </Section>
        )}
        <ErrorNotice error={error} title="Not connected" />
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Connecting…' : method === 'oauth' ? 'Sign in with Salesforce' : 'Connect'}
        </Button>
      </form>
    </>
  );
}
