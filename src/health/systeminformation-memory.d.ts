// Types for the one part of systeminformation the daemon loads (host-sampler.ts): the package
// ships one declaration file, for its index only.
declare module 'systeminformation/lib/memory.js' {
  import type { Systeminformation } from 'systeminformation';
  export function mem(): Promise<Systeminformation.MemData>;
}
