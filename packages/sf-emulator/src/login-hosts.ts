// Production and sandbox orgs log in on different hosts in Salesforce (login.salesforce.com and
// test.salesforce.com). The emulator listens on one port, so the sandbox "host" is a path
// prefix: `http://127.0.0.1:PORT` is the production login URL and `http://127.0.0.1:PORT/sandbox`
// the sandbox one. A sandbox org's client id and users are unknown on the production login URL
// and the other way round, exactly as with the real hosts. Instance URLs (data, SOAP calls with a
// session) stay the bare base URL for both.

export type LoginHost = 'production' | 'sandbox';

export const SANDBOX_PREFIX = '/sandbox';

/** The real Salesforce login host for each kind, accepted as a JWT audience besides the emulator's URL. */
export const SALESFORCE_LOGIN_HOSTS: Record<LoginHost, string> = {
  production: 'https://login.salesforce.com',
  sandbox: 'https://test.salesforce.com',
};

/** Splits `/sandbox/services/...` into the sandbox host and `/services/...`. */
export function splitLoginHost(path: string): { host: LoginHost; path: string } {
  if (path === SANDBOX_PREFIX || path.startsWith(`${SANDBOX_PREFIX}/`))
    return { host: 'sandbox', path: path.slice(SANDBOX_PREFIX.length) || '/' };
  return { host: 'production', path };
}

export function loginHostOf(org: { spec: { sandbox?: boolean | undefined } }): LoginHost {
  return org.spec.sandbox === true ? 'sandbox' : 'production';
}

/** The login URL an org reports (and the only one its sign-in flows answer on). */
export function loginUrlFor(baseUrl: string, host: LoginHost): string {
  return host === 'sandbox' ? `${baseUrl}${SANDBOX_PREFIX}` : baseUrl;
}
