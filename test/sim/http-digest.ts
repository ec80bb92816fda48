// HTTP Digest (RFC 7616 with MD5 and qop=auth, RFC 2069 without qop), as Hikvision fw 5.7.13+ and
// Dahua ask for. Nonces are ours, expire, and each nonce count may be used once.
import { createHash, randomBytes } from 'node:crypto';

const NONCE_TTL_MS = 5 * 60_000;

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

export function parseDigestHeader(header: string): Record<string, string> | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m?.[1]) return undefined;
  const out: Record<string, string> = {};
  for (const p of m[1].matchAll(/([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/gi)) {
    const key = p[1]?.toLowerCase();
    if (key) out[key] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return out;
}

export type DigestVerdict = 'ok' | 'stale' | 'bad';

export class DigestAuth {
  private nonces = new Map<string, { issued: number; lastNc: number }>();
  private readonly opaque = randomBytes(8).toString('hex');

  constructor(private readonly realm: string) {}

  challenge(stale = false): string {
    if (this.nonces.size > 1000) {
      for (const [n, v] of this.nonces) if (Date.now() - v.issued > NONCE_TTL_MS) this.nonces.delete(n);
    }
    const nonce = randomBytes(16).toString('hex');
    this.nonces.set(nonce, { issued: Date.now(), lastNc: 0 });
    return (
      `Digest realm="${this.realm}", qop="auth", nonce="${nonce}", opaque="${this.opaque}", ` +
      `algorithm=MD5, stale=${stale ? 'TRUE' : 'FALSE'}`
    );
  }

  verify(
    header: string,
    method: string,
    requestUri: string,
    expected: { username: string; password: string },
  ): DigestVerdict {
    const d = parseDigestHeader(header);
    if (!d?.nonce || !d.response || d.uri === undefined) return 'bad';
    const state = this.nonces.get(d.nonce);
    // A nonce we never issued or that expired is "stale": the client retries, it is not a failed login.
    if (!state || Date.now() - state.issued > NONCE_TTL_MS) return 'stale';
    if (d.username !== expected.username || d.realm !== this.realm) return 'bad';
    if (d.algorithm && d.algorithm.toUpperCase() !== 'MD5') return 'bad';
    if (!sameRequestUri(d.uri, requestUri)) return 'bad';
    const ha1 = md5(`${expected.username}:${this.realm}:${expected.password}`);
    const ha2 = md5(`${method}:${d.uri}`);
    let want: string;
    if (d.qop) {
      if (d.qop !== 'auth' || !d.nc || d.cnonce === undefined) return 'bad';
      const nc = parseInt(d.nc, 16);
      if (!(nc > state.lastNc)) return 'bad'; // replayed nonce count
      want = md5(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`);
      if (want === d.response.toLowerCase()) state.lastNc = nc;
    } else {
      want = md5(`${ha1}:${d.nonce}:${ha2}`);
    }
    return want === d.response.toLowerCase() ? 'ok' : 'bad';
  }
}

function sameRequestUri(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  try {
    const u = new URL(digestUri, 'http://x');
    return u.pathname + u.search === requestUri;
  } catch {
    return false;
  }
}
