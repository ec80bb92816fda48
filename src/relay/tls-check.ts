// The gateway's own check of a TLS destination's certificate, made before the camera's ffmpeg is
// given the destination and again while it is refused. ffmpeg 5.1 cannot verify an RTSPS output
// (its RTSP muxer opens the TLS connection without options: measured, docs/relay.md, TLS), and
// for RTMPS, where it can, its error names no reason; this check gives one, naming the destination.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { connect } from 'node:tls';

export type CertificateCheck =
  /** The server presented a certificate that verifies, for its name. */
  | { verdict: 'trusted' }
  /** It presented one that does not: the reason, for the destination's status. */
  | { verdict: 'refused'; reason: string }
  /** No answer (down, refused, timed out): nothing known; ffmpeg will not get through either. */
  | { verdict: 'unreachable'; reason: string };

/** Errors of the handshake that are about the certificate, not the network (OpenSSL's codes, Node's). */
function isCertificateError(code: string | undefined): boolean {
  if (!code) return false;
  return (
    code.startsWith('ERR_TLS_CERT') ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ISSUER|CHAIN|SIGNATURE|EXPIRED|NOT_YET_VALID/.test(code)
  );
}

export async function checkCertificate(
  host: string,
  port: number,
  caFile: string | null,
  timeoutMs: number,
): Promise<CertificateCheck> {
  let ca: Buffer | undefined;
  if (caFile) {
    try {
      ca = await readFile(caFile);
    } catch (e) {
      return { verdict: 'refused', reason: `cannot read caFile ${caFile}: ${(e as Error).message}` };
    }
  }
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      ...(ca ? { ca } : {}),
      rejectUnauthorized: true,
    });
    const done = (c: CertificateCheck) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(c);
    };
    const timer = setTimeout(
      () => done({ verdict: 'unreachable', reason: `no TLS handshake within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('secureConnect', () => done({ verdict: 'trusted' }));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(
        isCertificateError(e.code)
          ? { verdict: 'refused', reason: `${e.code}: ${e.message}` }
          : { verdict: 'unreachable', reason: e.message },
      ),
    );
  });
}
