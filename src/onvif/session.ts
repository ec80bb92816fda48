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
  private resynced = false;
  private rejected: OnvifError | null = null;
  private readonly limiter: Limiter;

  constructor(
    readonly deviceUrl: URL,
    private readonly opts: SessionOptions,
  ) {
    this.limiter = new Limiter(opts.maxInFlight);
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

  /** GetSystemDateAndTime, never authenticated; sets the clock offset used to sign requests. */
  async readClock(): Promise<{ utc: Date | null; offsetMs: number }> {
    const sentAt = Date.now();
    const res = await this.limiter.run(() => this.post(this.deviceUrl, getSystemDateAndTime(), ''));
    const receivedAt = Date.now();
    this.bodyOf(res, false);
    const parsed = parseSystemDateAndTime(res.xml);
    this.deviceUtc = parsed.utc;
    this.offsetMs = parsed.utc ? clockOffsetMs(parsed.utc, sentAt, receivedAt) : 0;
    return { utc: parsed.utc, offsetMs: this.offsetMs };
  }

  /**
   * An authenticated call; returns the response XML once it is known to be a SOAP success.
   * `optional`: a call made after the login succeeded, which the account may lack the right for; its
   * refusal is not a rejected login (no re-sync, no second try, the session goes on).
   */
  async call(service: URL, request: SoapRequest, opts: { optional?: boolean } = {}): Promise<string> {
    return this.limiter.run(async () => {
      if (this.rejected) throw this.rejected;
      for (;;) {
        const creds = this.opts.credentials;
        const header =
          creds && this.scheme !== 'http-digest' ? usernameToken(creds, Date.now() + this.offsetMs) : '';
        const res = await this.post(service, request, header);
        try {
          this.bodyOf(res, true);
          if (res.usedDigest) this.scheme = 'http-digest';
          else this.scheme ??= creds ? 'ws-security' : 'none';
          return res.xml;
        } catch (err) {
          if (!(err instanceof OnvifError) || !creds || opts.optional) throw err;
          if (err.kind === 'locked') this.rejected = err;
          if (err.kind !== 'not-authorized') throw err;
          // A camera whose clock jumped rejects the token: read its time once more and retry once.
          if (!this.resynced && !res.usedDigest && this.opts.resyncOnReject !== false) {
            this.resynced = true;
            await this.post(this.deviceUrl, getSystemDateAndTime(), '').then(
              (r) => {
                const utc = parseSystemDateAndTime(r.xml).utc;
                if (utc) this.offsetMs = utc.getTime() - Date.now();
              },
              () => undefined,
            );
            continue;
          }
          this.rejected = err;
          throw err;
        }
      }
    });
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
