// A real black hole for one loopback TCP port: packets to it are dropped, so nothing is ACKed
// and a sender's socket buffer fills, as on a 4G link that died without a reset. SIGSTOP of the
// receiver is not the same on loopback: its kernel keeps ACKing into a buffer of megabytes.
import { execFileSync } from 'node:child_process';

export function canBlackhole(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Tables left by a test worker that died before restoring them: a port would stay dropped. */
function sweepStale(): void {
  const out = execFileSync('nft', ['list', 'tables']).toString();
  for (const m of out.matchAll(/table inet (egw_blackhole_(\d+)_\d+u?)/g)) {
    let alive = true;
    try {
      process.kill(Number(m[2]), 0);
    } catch {
      alive = false;
    }
    if (!alive) execFileSync('nft', ['delete', 'table', 'inet', m[1]!], { stdio: 'ignore' });
  }
}

/**
 * Drops every packet to 127.0.0.1:port until the returned function is called: TCP by default,
 * UDP for an SRT listener (its peer then hears nothing, as through a dead 4G link).
 */
export function blackholePort(port: number, protocol: 'tcp' | 'udp' = 'tcp'): () => void {
  sweepStale();
  const table = `egw_blackhole_${process.pid}_${port}${protocol === 'udp' ? 'u' : ''}`;
  execFileSync('nft', ['-f', '-'], {
    input: `table inet ${table} {\n chain input { type filter hook input priority -10; ${protocol} dport ${port} drop; }\n}\n`,
  });
  return () => {
    try {
      execFileSync('nft', ['delete', 'table', 'inet', table], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  };
}
