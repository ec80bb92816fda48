// sysexits(3) codes, so that systemd can tell a permanent failure (not restarted:
// RestartPreventExitStatus=64 69 78 in the unit) from a temporary one (75, 70: restarted).
export const EXIT = {
  ok: 0,
  checkFailed: 1,
  /** EX_USAGE: bad command line, including a bad numeric option. */
  usage: 64,
  /** EX_UNAVAILABLE: a program the gateway needs (ffmpeg) is missing or too old. */
  unavailable: 69,
  /** EX_SOFTWARE: an internal error. */
  software: 70,
  /** EX_TEMPFAIL: try again later, e.g. another gateway holds the status socket. */
  tempFail: 75,
  /** EX_CONFIG: the configuration is invalid or missing. */
  config: 78,
} as const;

/** An error that carries the exit code the process should end with; its message is the one line printed. */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}
