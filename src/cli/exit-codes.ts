// sysexits-style codes: systemd does not restart into a configuration error (78).
export const EXIT = { ok: 0, checkFailed: 1, usage: 64, config: 78, software: 70 } as const;

/** An error that carries the exit code the process should end with. */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}
