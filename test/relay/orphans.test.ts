// ffmpeg left behind by a SIGKILLed daemon is found by its owner marker and ended.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { OWNER_VAR, findOwned, killOrphans } from '../../src/relay/orphans.ts';
import { alive, waitFor } from '../support/wait.ts';

describe('orphan cleanup', () => {
  it("ends only the processes carrying this gateway's marker", async () => {
    const owner = `test-${process.pid}-${Date.now()}`;
    const mine = spawn('sleep', ['30'], { env: { ...process.env, [OWNER_VAR]: owner }, stdio: 'ignore' });
    const other = spawn('sleep', ['30'], {
      env: { ...process.env, [OWNER_VAR]: `${owner}-other` },
      stdio: 'ignore',
    });
    try {
      await waitFor(() => findOwned(owner).includes(mine.pid!), 'the marked process to be found');
      expect(findOwned(owner)).not.toContain(other.pid);
      expect(killOrphans(owner)).toEqual([mine.pid]);
      await waitFor(() => !alive(mine.pid), 'the orphan to be gone');
      expect(alive(other.pid)).toBe(true);
    } finally {
      mine.kill('SIGKILL');
      other.kill('SIGKILL');
    }
  });
});
