// The UDP sockets of this network namespace bound to the wildcard address (0.0.0.0 or ::), from
// /proc/net/udp and udp6: where libsrt's connections are. The camera process has no other such
// socket: its loopback taps bind 127.0.0.1 (ffmpeg-args.ts udpUrl), its camera pull is TCP.
import { readFileSync } from 'node:fs';

const WILDCARD = /^(0{8}|0{32}):[0-9A-F]{4}$/;

/** Inodes of the wildcard-bound UDP sockets, or null when /proc cannot be read. */
export function readWildcardUdpInodes(): Set<string> | null {
  const out = new Set<string>();
  let read = 0;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    read++;
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ...
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && WILDCARD.test(f[1]!)) out.add(f[9]!);
    }
  }
  return read > 0 ? out : null;
}
