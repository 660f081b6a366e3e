// `POST /services/Soap/u/NN.0`: the partner SOAP API as jsforce calls it. `login` answers on the
// org's login URL (production or /sandbox); `merge` and `convertLead` need a SessionHeader with a
// live session (the same opaque tokens as REST) and count one API call each.
import type { EmuResponse } from '../contracts.js';
import { MAX_API_VERSION, MIN_API_VERSION } from '../http/server.js';
import type { SessionStore } from '../http/sessions.js';
import { loginHostOf, type LoginHost } from '../login-hosts.js';
import type { EmulatedOrg } from '../org/emulated-org.js';
import { soapAnswer, soapFault } from './soap-envelope.js';
import { MAX_SOAP_REQUESTS, runConvertLead, runMerge } from './soap-operations.js';
import { child, children, childText, parseXml, XmlError, type XmlElement } from './xml.js';

export const SOAP_PATH = /^\/services\/Soap\/u\/(\d+)\.0(?:\/[^/]*)?\/?$/;

export interface SoapDeps {
  host: LoginHost;
  sessions: SessionStore;
  orgs: () => Iterable<EmulatedOrg>;
  orgById: (orgId: string) => EmulatedOrg | undefined;
  baseUrl: string;
}

export function handleSoap(method: string, path: string, body: Buffer, deps: SoapDeps): EmuResponse {
  const m = SOAP_PATH.exec(path);
  const version = Number(m?.[1] ?? 0);
  if (m === null || version < MIN_API_VERSION || version > MAX_API_VERSION)
    return soapFault('UNSUPPORTED_API_VERSION', `Invalid Api version specified on URL`);
  if (method !== 'POST')
    return soapFault('INVALID_OPERATION', 'The SOAP API accepts POST only', 'soapenv:Client');
  let envelope: XmlElement;
  try {
    envelope = parseXml(body.toString('utf8'));
  } catch (err) {
    return soapFault(
      'INVALID_XML',
      `Could not parse the SOAP envelope: ${err instanceof XmlError ? err.message : 'malformed XML'}`,
      'soapenv:Client',
    );
  }
  const operation = child(envelope, 'Body')?.children[0];
  if (envelope.local !== 'Envelope' || operation === undefined)
    return soapFault('INVALID_XML', 'The request is not a SOAP envelope with a Body', 'soapenv:Client');
  const versionText = `${version}.0`;

  if (operation.local === 'login') return login(operation, deps, versionText);

  const sessionId = childText(child(child(envelope, 'Header'), 'SessionHeader'), 'sessionId') ?? '';
  const found = deps.sessions.resolve(sessionId, deps.orgById);
  if (found === undefined)
    return soapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
  const { org, session } = found;
  org.requests.record('POST', `/services/Soap/u/{version} ${operation.local}`, true);
  if (org.api.exhausted) return soapFault('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  org.api.count();
  const ctx = { userId: session.userId };

  switch (operation.local) {
    case 'merge': {
      const requests = children(operation, 'mergeRequests');
      if (requests.length > MAX_SOAP_REQUESTS)
        return soapFault(
          'LIMIT_EXCEEDED',
          `Cannot merge more than ${MAX_SOAP_REQUESTS} requests in one call`,
        );
      return soapAnswer(
        'merge',
        requests.map((r) => runMerge(org.store, r, ctx)),
      );
    }
    case 'convertLead': {
      const requests = children(operation, 'leadConverts');
      if (requests.length > MAX_SOAP_REQUESTS)
        return soapFault('LIMIT_EXCEEDED', `Cannot convert more than ${MAX_SOAP_REQUESTS} leads in one call`);
      return soapAnswer(
        'convertLead',
        requests.map((r) => runConvertLead(org.store, r, ctx)),
      );
    }
    case 'getServerTimestamp':
      return soapAnswer('getServerTimestamp', [{ timestamp: org.clock.now().toISOString() }]);
    default:
      return soapFault(
        'INVALID_OPERATION',
        `No operation available for request {urn:partner.soap.sforce.com}${operation.local}; the emulator's SOAP API supports login, merge, convertLead and getServerTimestamp`,
        'soapenv:Client',
      );
  }
}

function login(operation: XmlElement, deps: SoapDeps, version: string): EmuResponse {
  const username = (childText(operation, 'username') ?? '').toLowerCase();
  const password = childText(operation, 'password') ?? '';
  for (const org of deps.orgs()) {
    if (loginHostOf(org) !== deps.host) continue;
    const user = org.users.find((u) => u.username.toLowerCase() === username);
    if (user === undefined) continue;
    if (!user.isActive || org.passwordFor(user) !== password) break;
    org.requests.record('POST', '/services/Soap/u/{version} login', false);
    const session = deps.sessions.issue(org, user.id, null);
    const soapBase = `${deps.baseUrl}/services/Soap`;
    return soapAnswer('login', [
      {
        metadataServerUrl: `${soapBase}/m/${version}/${org.orgId}`,
        passwordExpired: false,
        sandbox: org.spec.sandbox === true,
        serverUrl: `${soapBase}/u/${version}/${org.orgId}`,
        sessionId: session.token,
        userId: user.id,
        userInfo: {
          organizationId: org.orgId,
          organizationName: org.spec.name,
          userEmail: user.email,
          userFullName: `${user.firstName} ${user.lastName}`.trim(),
          userId: user.id,
          userName: user.username,
          userTimeZone: 'GMT',
        },
      },
    ]);
  }
  return soapFault('INVALID_LOGIN', 'Invalid username, password, security token; or user locked out.');
}
