// One camera's ONVIF session: its clock offset, the auth scheme that worked, and the rule that
// protects accounts: one credential set, one clock re-sync, and no retry after that.
import type { AuthScheme } from '../core/camera.ts';
import { OnvifError } from './errors.ts';
import { Limiter } from './limiter.ts';
import { XmlError, type XmlNode } from './xml.ts';
import { NotSoapError, parseFault, soapBody } from './parse/envelope.ts';
import { clockOffsetMs, parseSystemDateAndTime } from './parse/system-date-time.ts';
import { getSystemDateAndTime } from './parse/requests.ts';
import {
  postSoap,
  usernameToken,
  type Credentials,
  type RawResponse,
  type SoapRequest,
} from './transport.ts';

export interface SessionOptions {
  credentials: Credentials | null;
  timeoutMs: number;
  maxInFlight: number;
  /** false: a rejected login is final at once, without the clock re-sync and its second try. */
  resyncOnReject?: boolean;
}

export class DeviceSession {
  offsetMs = 0;
  deviceUtc: Date | null = null;
  scheme: AuthScheme | null = null;
  private rejected: OnvifError | null = null;
  /** An authenticated call succeeded: the credentials are good, calls may overlap freely. */
  private proven = false;
  /** Credentials refused so far (each one failed login on the camera). */
  private failures = 0;
  /** Authenticated calls in flight before the credentials were proven (at most one). */
  private unproven = 0;
  private waiting: (() => void)[] = [];
  private clockRead: Promise<unknown> | null = null;
  private clockKnown = false;
  private readonly limiter: Limiter;

  constructor(
    readonly deviceUrl: URL,
    private readonly opts: SessionOptions,
  ) {
    this.limiter = new Limiter(opts.maxInFlight);
  }

  /** Failed logins a refusing camera may see: a refusal, the clock re-read, one retry; or one alone. */
  private get loginBudget(): number {
    return this.opts.resyncOnReject === false ? 1 : 2;
  }

  /** Service URLs keep their port and path but use the address we actually reached (NAT, stale IPs). */
  serviceUrl(xaddr: string | null): URL {
    if (!xaddr) return this.deviceUrl;
    try {
      const u = new URL(xaddr.trim());
      u.hostname = this.deviceUrl.hostname;
      if (!u.port && this.deviceUrl.port && u.protocol === this.deviceUrl.protocol)
        u.port = this.deviceUrl.port;
      return u;
    } catch {
      return this.deviceUrl;
    }
  }

  /**
   * GetSystemDateAndTime, never authenticated; sets the clock offset used to sign requests.
   * Authenticated calls started meanwhile wait for it: a token signed on a wrong clock is a failed
   * login on the camera. Unauthenticated ones (callOpen) overlap it.
   */
  readClock(): Promise<{ utc: Date | null; offsetMs: number }> {
    const read = (async () => {
      const sentAt = Date.now();
      const res = await this.limiter.run(() => this.post(this.deviceUrl, getSystemDateAndTime(), ''));
      const receivedAt = Date.now();
      this.bodyOf(res, false);
      const parsed = parseSystemDateAndTime(res.xml);
      this.deviceUtc = parsed.utc;
      this.offsetMs = parsed.utc ? clockOffsetMs(parsed.utc, sentAt, receivedAt) : 0;
      this.clockKnown = true;
      return { utc: parsed.utc, offsetMs: this.offsetMs };
    })();
    this.clockRead = read;
    return read;
  }

  /**
   * A call the ONVIF Core specification puts in the PRE_AUTH class (GetServices, GetCapabilities),
   * sent without credentials so that it can overlap the clock read at no risk to the account: a
   * request that presents no credentials is not a failed login (the simulated Dahua, which locks
   * after 5, counts only presented credentials that were rejected).
   * Resolves null when the device wants a login for it anyway (then sign it with call()).
   */
  async callOpen(service: URL, request: SoapRequest): Promise<string | null> {
    const res = await this.limiter.run(() =>
      postSoap(service, request, { credentials: null, securityHeader: '', timeoutMs: this.opts.timeoutMs }),
    );
    try {
      this.bodyOf(res, false);
      return res.xml;
    } catch (err) {
      if (err instanceof OnvifError && ['not-authorized', 'no-credentials', 'locked'].includes(err.kind))
        return null;
      throw err;
    }
  }

  /**
   * An authenticated call; returns the response XML once it is known to be a SOAP success.
   * Until one such call succeeds, only one is in flight: a refusing (or locked) camera sees no more
   * failed logins than when every call waited for the one before; after it, calls overlap.
   * `optional`: a call made after the login succeeded, which the account may lack the right for; its
   * refusal is not a rejected login (no re-sync, no second try, the session goes on).
   */
  async call(service: URL, request: SoapRequest, opts: { optional?: boolean } = {}): Promise<string> {
    // An optional call never tests the credentials: it goes only once another call has proven them.
    while (!this.proven && !this.rejected && this.unproven > 0)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.rejected) throw this.rejected;
    if (opts.optional && !this.proven) throw new OnvifError('fault', 'not logged in yet');
    const counted = !this.proven;
    if (counted) this.unproven++;
    try {
      return await this.attempt(service, request, opts.optional === true);
    } finally {
      if (counted) this.unproven--;
      this.waiting.splice(0).forEach((wake) => wake());
    }
  }

  private async attempt(service: URL, request: SoapRequest, optional: boolean): Promise<string> {
    if (!this.clockKnown) await this.clockRead?.catch(() => undefined);
    for (;;) {
      if (this.rejected) throw this.rejected;
      const creds = this.opts.credentials;
      // Signed when it goes on the wire, not while it waits for a slot: the token's Created must be fresh.
      const res = await this.limiter
        .run(() => {
          const header =
            creds && this.scheme !== 'http-digest' ? usernameToken(creds, Date.now() + this.offsetMs) : '';
          return this.post(service, request, header);
        })
        .catch((err: unknown) => {
          // HTTP Digest refused (the transport's 401 after our answer): final, no clock to blame.
          if (creds && !optional && err instanceof OnvifError && err.kind === 'not-authorized') {
            this.failures++;
            this.rejected ??= err;
          }
          throw err;
        });
      try {
        this.bodyOf(res, true);
        if (res.usedDigest) this.scheme = 'http-digest';
        else this.scheme ??= creds ? 'ws-security' : 'none';
        this.proven = true;
        return res.xml;
      } catch (err) {
        if (!(err instanceof OnvifError) || !creds || optional) throw err;
        if (err.kind === 'locked') this.rejected = err;
        if (err.kind !== 'not-authorized') throw err;
        this.failures++;
        if (this.rejected) throw this.rejected;
        // A camera whose clock jumped rejects the token: read its time once more and retry once.
        if (this.failures < this.loginBudget && !res.usedDigest) {
          await this.resync();
          continue;
        }
        this.rejected = err;
        throw err;
      }
    }
  }

  private async resync(): Promise<void> {
    await this.limiter
      .run(() => this.post(this.deviceUrl, getSystemDateAndTime(), ''))
      .then(
        (r) => {
          const utc = parseSystemDateAndTime(r.xml).utc;
          if (utc) this.offsetMs = utc.getTime() - Date.now();
        },
        () => undefined,
      );
  }

  private post(url: URL, request: SoapRequest, header: string): Promise<RawResponse> {
    return postSoap(url, request, {
      credentials: this.opts.credentials,
      securityHeader: header,
      timeoutMs: this.opts.timeoutMs,
    });
  }

  /** Classifies a raw response: the SOAP Body on success, an OnvifError otherwise. */
  private bodyOf(res: RawResponse, authenticated: boolean): XmlNode {
    let body: XmlNode;
    try {
      body = soapBody(res.xml);
    } catch (err) {
      if (res.status === 401) {
        throw new OnvifError(
          this.opts.credentials || !authenticated ? 'not-authorized' : 'no-credentials',
          'HTTP 401 without a Digest challenge',
          { status: 401 },
        );
      }
      if (err instanceof XmlError)
        throw new OnvifError(err.kind, `invalid XML: ${err.message}`, { status: res.status });
      if (err instanceof NotSoapError)
        throw new OnvifError('not-onvif', `HTTP ${res.status}, not a SOAP response`, { status: res.status });
      throw err;
    }
    const fault = parseFault(body);
    if (fault) {
      const sub = fault.subcode ?? '';
      if (
        /NotAuthori[sz]ed|FailedAuthentication|InvalidSecurity/i.test(sub) ||
        /not ?authori[sz]ed|auth/i.test(fault.reason)
      ) {
        if (!this.opts.credentials)
          throw new OnvifError('no-credentials', 'the device requires credentials', {
            status: res.status,
            subcode: sub,
          });
        const kind = /lock/i.test(fault.reason) ? 'locked' : 'not-authorized';
        throw new OnvifError(kind, `credentials rejected: ${fault.reason || sub}`, {
          status: res.status,
          subcode: sub,
        });
      }
      const kind = /ActionNotSupported|NoSuchService|NotSupported/i.test(sub) ? 'unsupported' : 'fault';
      throw new OnvifError(kind, `SOAP fault ${sub || fault.code}: ${fault.reason}`.trim(), {
        status: res.status,
        subcode: sub,
      });
    }
    if (res.status >= 400) throw new OnvifError('not-onvif', `HTTP ${res.status}`, { status: res.status });
    return body;
  }
}
