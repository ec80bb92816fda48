// HTTP/RTSP Digest answers computed by the `onvif` package's implementation (MD5 and SHA-256,
// qop=auth), reused for snapshots and RTSP DESCRIBE so there is one Digest implementation.
import onvif from 'onvif';
import type { Credentials } from './transport.ts';

interface DigestCapable {
  digestAuth(challenges: string[], req: { method: string; path: string }): string | null;
}

/** The Authorization header for a challenge, or Basic when the server asked for Basic. */
export function authorizationFor(
  challenges: string[],
  method: string,
  uri: string,
  creds: Credentials,
): string | null {
  const digest = challenges.filter((c) => /^Digest\s/i.test(c));
  if (digest.length > 0) {
    const cam = new onvif.Cam({
      hostname: 'unused',
      username: creds.username,
      password: creds.password,
      autoconnect: false,
    }) as unknown as DigestCapable;
    return cam.digestAuth(digest, { method, path: uri });
  }
  if (challenges.some((c) => /^Basic\b/i.test(c))) {
    return `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`;
  }
  return null;
}
