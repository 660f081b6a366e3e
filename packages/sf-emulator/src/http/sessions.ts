// Access and refresh tokens for every org. Tokens are opaque (`00D…!AQ…`, never JWT-shaped, so
// jsforce allows SOAP with them). A session's age is measured on its org's clock, so moving the
// clock expires it exactly as time passing would.
import { randomBytes } from 'node:crypto';
import type { EmulatedOrg } from '../org/emulated-org.js';

export interface Session {
  token: string;
  orgId: string;
  userId: string;
  clientId: string | null;
  issuedAtMs: number;
  /** Ready-made tokens (credentials.accessToken, --access-token) do not expire by age. */
  fixed: boolean;
}

interface RefreshGrant {
  orgId: string;
  userId: string;
  clientId: string;
}

const opaque = (bytes: number) => randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'Z');

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();

  issue(org: EmulatedOrg, userId: string, clientId: string | null): Session {
    const session: Session = {
      token: `${org.orgId.slice(0, 15)}!AQ${opaque(72)}`,
      orgId: org.orgId,
      userId,
      clientId,
      issuedAtMs: org.clock.nowMs(),
      fixed: false,
    };
    this.sessions.set(session.token, session);
    return session;
  }

  registerFixed(token: string, org: EmulatedOrg, userId: string): void {
    this.sessions.set(token, {
      token,
      orgId: org.orgId,
      userId,
      clientId: null,
      issuedAtMs: org.clock.nowMs(),
      fixed: true,
    });
  }

  issueRefreshToken(org: EmulatedOrg, userId: string, clientId: string): string {
    const token = `5Aep8${opaque(60)}`;
    this.refreshTokens.set(token, { orgId: org.orgId, userId, clientId });
    return token;
  }

  refreshGrant(token: string): RefreshGrant | undefined {
    return this.refreshTokens.get(token);
  }

  /** The live session for a token, or undefined when unknown, revoked or older than the org's TTL. */
  resolve(
    token: string,
    orgOf: (orgId: string) => EmulatedOrg | undefined,
  ): { session: Session; org: EmulatedOrg } | undefined {
    const session = this.sessions.get(token);
    if (session === undefined) return undefined;
    const org = orgOf(session.orgId);
    if (org === undefined) return undefined;
    if (!session.fixed && org.clock.nowMs() - session.issuedAtMs >= org.spec.sessionTtlSeconds * 1000) {
      this.sessions.delete(token);
      return undefined;
    }
    return { session, org };
  }

  revoke(token: string): boolean {
    return this.sessions.delete(token) || this.refreshTokens.delete(token);
  }

  /** Ends every session of an org now (refresh tokens stay valid, as after a real timeout). */
  expireOrg(orgId: string, includeFixed: boolean): number {
    let n = 0;
    for (const [token, s] of this.sessions) {
      if (s.orgId === orgId && (includeFixed || !s.fixed)) {
        this.sessions.delete(token);
        n++;
      }
    }
    return n;
  }
}
