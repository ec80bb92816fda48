// Ends one TCP connection of an ffmpeg from outside, so that its writer gets an error instead of
// waiting for ever on a black-holed destination: the fifo then reconnects that destination alone,
// and the camera pull and the other destinations carry on. This is the kernel's SOCK_DESTROY
// (`ss -K`, iproute2), which needs CAP_NET_ADMIN and CONFIG_INET_DIAG_DESTROY (Debian and
// Raspberry Pi OS kernels have it). Without them the caller falls back to restarting the process.
import { execFile } from 'node:child_process';
import { isV6Address, readTcpSockets, type TcpSocket } from './upstream-ack.ts';

function ssEndpoint(addr: string): string {
  const i = addr.lastIndexOf(':');
  return isV6Address(addr) ? `[${addr.slice(0, i)}]:${addr.slice(i + 1)}` : addr;
}

/** Resolves true when the connection is gone afterwards. */
export function resetConnection(s: TcpSocket): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      'ss',
      ['-K', '-t', '-n', 'src', ssEndpoint(s.local), 'dst', ssEndpoint(s.remote)],
      { timeout: 3000 },
      () => {
        // ss exits 0 even when the kernel refused; what counts is whether the socket is still there.
        const still = readTcpSockets({ v6: isV6Address(s.remote) }).get(s.inode);
        resolve(!still?.established);
      },
    );
  });
}
