// Stream and snapshot URIs as cameras report them are often wrong (0.0.0.0, 127.x, an internal address),
// padded with whitespace or carrying credentials. Pure normalisation; no I/O.

export class UriError extends Error {
  override readonly name = 'UriError';
}

const CREDENTIAL_PARAMS = new Set(['user', 'username', 'password', 'pwd', 'pass', 'passwd', 'auth', 'token']);

export interface NormalisedUri {
  uri: string;
  /** What was changed, for the site report: e.g. 'host 0.0.0.0 -> 10.0.0.5', 'removed credentials'. */
  changed: string[];
}

export interface UriContext {
  /** The host we reach the camera at (as configured or discovered). */
  cameraHost: string;
  /** The address the camera's reply actually came from, when known. */
  reachedHost?: string;
}

/** Never throws with the URI in the message: it may carry a password. */
function parse(raw: string, what = 'URI'): URL {
  const s = raw.trim();
  if (s === '') throw new UriError(`${what} is empty`);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(s)) throw new UriError(`${what} has no scheme`);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new UriError(`${what} is not a valid absolute URL`);
  }
  if (url.hostname === '') throw new UriError(`${what} has no host`);
  return url;
}

/** Host without IPv6 brackets, lower-cased, for comparisons. */
function bareHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  const parts = m ? m.slice(1).map(Number) : null;
  return parts && parts.every((p) => p <= 255) ? parts : null;
}

/** Addresses no camera can be reached at from the gateway: unspecified, loopback, link-local. */
export function isBogusHost(host: string): boolean {
  const h = bareHost(host);
  if (h === 'localhost' || h === '::' || h === '::1' || /^fe[89ab][0-9a-f]?:/.test(h)) return true;
  const v4 = ipv4(h);
  if (!v4) return false;
  const [a, b] = v4 as [number, number];
  return v4.every((p) => p === 0) || a === 127 || (a === 169 && b === 254);
}

/** RFC 1918, CGNAT (RFC 6598) and IPv6 unique-local addresses. */
export function isPrivateHost(host: string): boolean {
  const h = bareHost(host);
  if (/^f[cd][0-9a-f]{0,2}:/.test(h)) return true;
  const v4 = ipv4(h);
  if (!v4) return false;
  const [a, b] = v4 as [number, number];
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

function isCredentialParam(pair: string): boolean {
  const key = pair.split('=', 1)[0] ?? '';
  let decoded = key;
  try {
    decoded = decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    // keep the raw key
  }
  return CREDENTIAL_PARAMS.has(decoded.trim().toLowerCase());
}

/**
 * Trims, strips credentials (userinfo and credential-looking query parameters) and replaces a host the
 * gateway cannot use by `cameraHost`, keeping port, path and the rest of the query byte for byte.
 */
export function normaliseStreamUri(raw: string, ctx: UriContext): NormalisedUri {
  const url = parse(raw);
  const changed: string[] = [];
  if (url.username || url.password) {
    url.username = '';
    url.password = '';
    changed.push('removed credentials');
  }
  const pairs = url.search.replace(/^\?/, '').split('&');
  const kept = pairs.filter((p) => !isCredentialParam(p));
  if (kept.length !== pairs.length) {
    url.search = kept.join('&');
    if (!changed.includes('removed credentials')) changed.push('removed credentials');
  }
  const host = bareHost(url.hostname);
  const camera = bareHost(ctx.cameraHost);
  const reached = ctx.reachedHost === undefined ? undefined : bareHost(ctx.reachedHost);
  // A private address that is neither the camera's nor the one we reached it at is stale (second NIC, old IP).
  const stale = reached !== undefined && host !== reached && isPrivateHost(host);
  if (host !== camera && (isBogusHost(host) || stale)) {
    url.hostname = camera.includes(':') ? `[${camera}]` : camera;
    if (camera === '' || bareHost(url.hostname) !== camera) {
      throw new UriError(`camera host "${camera.slice(0, 60)}" cannot replace host ${host}`);
    }
    changed.push(`host ${host} -> ${camera}`);
  }
  return { uri: url.toString(), changed };
}

/** Throws UriError unless the URI's scheme is one of `allowed` (lower-case names without ':'). */
export function checkStreamScheme(uri: string, allowed: readonly string[] = ['rtsp', 'rtsps']): void {
  const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) throw new UriError('URI has no scheme');
  if (!allowed.includes(scheme)) throw new UriError(`unsupported scheme "${scheme.slice(0, 20)}"`);
  parse(uri);
}

export function checkSnapshotScheme(uri: string): void {
  checkStreamScheme(uri, ['http', 'https']);
}

/** Adds percent-encoded credentials, for the URL handed to our own ffmpeg only: never log or show it. */
export function withCredentials(uri: string, user: string, pass: string): string {
  const url = parse(uri);
  url.username = encodeURIComponent(user);
  url.password = user === '' ? '' : encodeURIComponent(pass);
  return url.toString();
}

/** For logs and reports: userinfo and credential query values become '***'. Works on unparsable text too. */
export function redactUri(uri: string): string {
  return uri
    .replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@')
    .replace(/([?&;])([^=&#;?]*)=([^&#;]*)/g, (whole, sep: string, key: string) =>
      isCredentialParam(key) ? `${sep}${key}=***` : whole,
    );
}
