// A self-signed certificate for 127.0.0.1 made by the test with openssl: the RTSPS and RTMPS
// ingests present it; the gateway trusts it only when given it as the destination's caFile.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface Certificate {
  /** PEM certificate, which is also its own CA file. */
  cert: string;
  key: string;
}

export function makeCertificate(dir: string, name = 'ingest'): Certificate {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2'],
      ...['-keyout', key, '-out', cert, '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
