import { useEffect, useRef, useState } from 'react';
import { request } from './api.js';
import { AppProvider, useApp } from './app-context.js';
import { WindowBanner } from './WindowBanner.js';
import { Companies, Deals, People } from './pages/Records.js';
import { ConnectSalesforce } from './pages/Connect.js';
import { Overview } from './pages/Overview.js';
import { SignIn } from './pages/SignIn.js';
import { SyncLog } from './pages/SyncLog.js';
import { SETTINGS_BASE, SETTINGS_PAGES } from './pages/settings/index.js';
import { Link, navigate, usePath } from './router.js';
import { loadSession, saveSession, type Session } from './session.js';
import { Button, PageHeader } from './ui.js';

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const signIn = (s: Session) => {
    saveSession(s);
    setSession(s);
  };
  const signOut = () => {
    // A key issued for this sign-in is revoked with it; a pasted workspace key is left alone.
    if (session !== null && session.keyId !== null)
      void request(session.key, 'DELETE', `/api-keys/${encodeURIComponent(session.keyId)}`).catch(
        () => undefined,
      );
    saveSession(null);
    setSession(null);
    navigate('/');
  };
  if (session === null) return <SignIn onSignedIn={signIn} />;
  return (
    <AppProvider session={session} onSignOut={signOut}>
      <Shell />
    </AppProvider>
  );
}

const MAIN_NAV = [
  { to: '/', label: 'Overview' },
  { to: '/people', label: 'People' },
  { to: '/companies', label: 'Companies' },
  { to: '/deals', label: 'Deals' },
  { to: '/log', label: 'Sync log' },
  { to: '/connect', label: 'Connect Salesforce' },
];

const firstActivity = SETTINGS_PAGES.find((p) => p.group === 'Activities');

function Shell() {
  const { session, workspace, signOut } = useApp();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" /> crmsync
        </span>
        <span className="topbar-workspace">
          {workspace?.name ?? session.workspaceName ?? 'Workspace'}
          {session.adminKey !== null && <span className="badge">admin</span>}
        </span>
        <Button variant="link" onClick={signOut}>
          Sign out
        </Button>
      </header>
      <nav className="sidebar" aria-label="Main">
        <ul>
          {MAIN_NAV.map((n) => (
            <li key={n.to}>
              <Link to={n.to}>{n.label}</Link>
            </li>
          ))}
        </ul>
        <p className="nav-group" id="nav-settings">
          Settings › Integrations › Salesforce
        </p>
        <ul aria-labelledby="nav-settings">
          {SETTINGS_PAGES.filter((p) => p.group === undefined || p === firstActivity).map((p) =>
            p === firstActivity ? (
              <li key="activities">
                <span className="nav-subgroup" id="nav-activities">
                  Activities
                </span>
                <ul aria-labelledby="nav-activities">
                  {SETTINGS_PAGES.filter((a) => a.group === 'Activities').map((a) => (
                    <li key={a.slug}>
                      <Link to={`${SETTINGS_BASE}/${a.slug}`}>{a.title}</Link>
                    </li>
                  ))}
                </ul>
              </li>
            ) : (
              <li key={p.slug}>
                <Link to={`${SETTINGS_BASE}/${p.slug}`}>{p.title}</Link>
              </li>
            ),
          )}
        </ul>
      </nav>
      <main className="content" id="main" tabIndex={-1}>
        <WindowBanner />
        <Routes />
      </main>
    </div>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Routes() {
  const path = usePath();
  // After moving to another page, focus its content so a screen reader starts there.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else document.getElementById('main')?.focus();
  }, [path]);
  if (path === '/' || path === '') return <Overview />;
  if (path === '/people') return <People />;
  if (path === '/companies') return <Companies />;
  if (path === '/deals') return <Deals />;
  if (path === '/log') return <SyncLog />;
  if (path === '/connect') return <ConnectSalesforce />;
  if (path === '/settings' || path === SETTINGS_BASE)
    return <Redirect to={`${SETTINGS_BASE}/${SETTINGS_PAGES[0]!.slug}`} />;
  const page = SETTINGS_PAGES.find((p) => path === `${SETTINGS_BASE}/${p.slug}`);
  if (page !== undefined) return <page.Component key={page.slug} />;
  return (
    <PageHeader title="Page not found">
      <p>
        There is no page at <code>{path}</code>. <Link to="/">Go to the overview</Link>.
      </p>
    </PageHeader>
  );
}
