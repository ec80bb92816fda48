// WS-Security UsernameToken check as cameras do it: PasswordDigest = Base64(SHA1(nonce + created +
// password)), all as bytes (the password as UTF-8), Created checked against the camera's own clock.
import { createHash, timingSafeEqual } from 'node:crypto';
import { elementText, findBlocks } from './xml.ts';

export interface UsernameToken {
  username: string;
  password: string;
  passwordType: 'digest' | 'text';
  nonce: string | undefined;
  created: string | undefined;
}

export function parseUsernameToken(xml: string): UsernameToken | undefined {
  const block = findBlocks(xml, 'UsernameToken')[0]?.text;
  if (!block) return undefined;
  const pw = /<(?:[\w.-]+:)?Password\b([^>]*)>/.exec(block);
  return {
    username: elementText(block, 'Username') ?? '',
    password: elementText(block, 'Password') ?? '',
    passwordType: pw?.[1]?.includes('PasswordText') ? 'text' : 'digest',
    nonce: elementText(block, 'Nonce'),
    created: elementText(block, 'Created'),
  };
}

export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64');
}

export const MAX_CLOCK_DIFF_MS = 5000;

/** Remembers nonces seen within the freshness window so a captured token cannot be replayed. */
export class NonceCache {
  private seen = new Map<string, number>();

  /** False when the nonce was already used. */
  remember(nonce: string, atMs: number): boolean {
    if (this.seen.size > 5000) {
      for (const [k, t] of this.seen) if (Math.abs(atMs - t) > 10 * 60_000) this.seen.delete(k);
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, atMs);
    return true;
  }
}

export type WsVerdict = 'ok' | 'bad-user' | 'bad-password' | 'stale' | 'replay' | 'malformed';

export function verifyUsernameToken(
  t: UsernameToken,
  expected: { username: string; password: string },
  cameraNowMs: number,
  nonces: NonceCache,
): WsVerdict {
  if (t.username !== expected.username) return 'bad-user';
  if (t.passwordType === 'text') return t.password === expected.password ? 'ok' : 'bad-password';
  if (!t.nonce || !t.created) return 'malformed';
  const createdMs = Date.parse(t.created);
  if (Number.isNaN(createdMs)) return 'malformed';
  if (Math.abs(createdMs - cameraNowMs) > MAX_CLOCK_DIFF_MS) return 'stale';
  const want = Buffer.from(passwordDigest(Buffer.from(t.nonce, 'base64'), t.created, expected.password));
  const got = Buffer.from(t.password);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'bad-password';
  if (!nonces.remember(t.nonce, cameraNowMs)) return 'replay';
  return 'ok';
}
