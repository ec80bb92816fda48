// Per-camera authentication policy: which scheme is accepted (ws-security / http-digest / either),
// failed-login counting and Dahua-style lockout (a locked account refuses even correct credentials).
import type { IncomingMessage } from 'node:http';
import { DigestAuth } from './http-digest.ts';
import type { CameraModel } from './model.ts';
import { NonceCache, parseUsernameToken, verifyUsernameToken } from './ws-security.ts';

export type AuthOutcome =
  | { ok: true }
  /** 401 with a Digest challenge. */
  | { ok: false; reply: 'challenge'; stale: boolean }
  /** 400 SOAP fault NotAuthorized, with the vendor's reason text when it has one. */
  | { ok: false; reply: 'fault'; reason: string | undefined };

export type AuthNotify = (failed: number, locked: boolean) => Promise<void>;

export class Authenticator {
  failed = 0;
  locked = false;
  private consecutive = 0;
  readonly digest: DigestAuth;
  private readonly nonces = new NonceCache();

  constructor(
    private readonly m: CameraModel,
    private readonly notify?: AuthNotify,
  ) {
    this.digest = new DigestAuth(m.p.realm(m.id.serial, m.id.mac));
  }

  private get creds() {
    return { username: this.m.spec.username, password: this.m.spec.password };
  }

  unlock(): void {
    this.locked = false;
    this.consecutive = 0;
  }

  /** Check a SOAP request (everything but GetSystemDateAndTime). */
  async checkSoap(req: IncomingMessage, xml: string): Promise<AuthOutcome> {
    const mode = this.m.spec.auth;
    const authz = req.headers.authorization;
    const hasDigest = authz !== undefined && /^\s*Digest\s/i.test(authz);
    const token = mode === 'http-digest' ? undefined : parseUsernameToken(xml);
    if (hasDigest && mode !== 'ws-security') return this.checkDigest(req, authz);
    if (token) {
      if (this.locked) return this.reject('fault');
      const v = verifyUsernameToken(token, this.creds, this.m.now().getTime(), this.nonces);
      return v === 'ok' ? this.accept() : this.reject('fault');
    }
    // No credentials at all (or a WS token a Digest-only camera ignores): not a failed login.
    return mode === 'ws-security'
      ? { ok: false, reply: 'fault', reason: undefined }
      : { ok: false, reply: 'challenge', stale: false };
  }

  /**
   * An RTSP request with this Authorization header (rtsp-auth.ts): a missing or stale Digest is
   * only a challenge; a wrong one a failed login, counted against the same account as ONVIF's.
   */
  async checkRtsp(method: string, uri: string, authz: string | undefined): Promise<'ok' | 'challenge'> {
    if (authz === undefined || !/^\s*Digest\s/i.test(authz)) return 'challenge';
    const v = this.digest.verify(authz, method, uri, this.creds);
    if (v === 'stale') return 'challenge';
    if (v === 'ok' && !this.locked) {
      await this.accept();
      return 'ok';
    }
    await this.reject('challenge');
    return 'challenge';
  }

  rtspChallenge(): string {
    return this.digest.challenge();
  }

  /** Snapshot GETs: Digest when the vendor protects snapshots, else open. */
  async checkSnapshot(req: IncomingMessage): Promise<AuthOutcome> {
    if (!this.m.p.snapshotDigest) return { ok: true };
    const authz = req.headers.authorization;
    if (authz === undefined || !/^\s*Digest\s/i.test(authz))
      return { ok: false, reply: 'challenge', stale: false };
    return this.checkDigest(req, authz);
  }

  private async checkDigest(req: IncomingMessage, authz: string): Promise<AuthOutcome> {
    const v = this.digest.verify(authz, req.method ?? 'GET', req.url ?? '/', this.creds);
    if (v === 'stale') return { ok: false, reply: 'challenge', stale: true };
    if (v === 'ok' && !this.locked) return this.accept();
    return this.reject('challenge');
  }

  private async accept(): Promise<AuthOutcome> {
    if (this.consecutive !== 0) {
      this.consecutive = 0;
      await this.notify?.(this.failed, this.locked);
    }
    return { ok: true };
  }

  private async reject(reply: 'fault' | 'challenge'): Promise<AuthOutcome> {
    this.failed++;
    this.consecutive++;
    const limit = this.m.spec.lockoutAfter;
    if (limit !== undefined && this.consecutive >= limit) this.locked = true;
    await this.notify?.(this.failed, this.locked);
    if (reply === 'challenge') return { ok: false, reply, stale: false };
    return { ok: false, reply, reason: this.reason() };
  }

  /** Dahua tells how many attempts are left (FIELD-NOTES item 6); others say nothing extra. */
  private reason(): string | undefined {
    const limit = this.m.spec.lockoutAfter;
    if (this.m.p.name !== 'dahua' || limit === undefined) return undefined;
    if (this.locked) return 'Account locked. You still have 0 attempt(s)';
    return `You still have ${Math.max(0, limit - this.consecutive)} attempt(s)`;
  }
}
