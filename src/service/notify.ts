// sd_notify(3) for the daemon. Node cannot write to a unix datagram socket, so each message is
// sent by systemd-notify(1), which the unit allows with NotifyAccess=all. systemd-notify waits
// for a barrier (systemd 246+) before exiting, so PID 1 attributes the message to our unit even
// though the sender is gone by the time it reads it. Outside systemd (no NOTIFY_SOCKET) nothing runs.
import { execFile } from 'node:child_process';

export interface Notifier {
  readonly active: boolean;
  /** Sends NAME=value assignments (READY=1, WATCHDOG=1, STATUS=…, STOPPING=1) in one message. */
  send(fields: Record<string, string>): Promise<void>;
}

export function systemdNotifier(
  env: NodeJS.ProcessEnv = process.env,
  binary = env.SYSTEMD_NOTIFY_PATH ?? 'systemd-notify',
  onError: (err: Error) => void = () => {},
): Notifier {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return { active: false, send: () => Promise.resolve() };
  return {
    active: true,
    send: (fields) =>
      new Promise((resolve) => {
        // A STATUS= line must stay one line: a newline would end the assignment.
        const args = Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/\s+/g, ' ')}`);
        execFile(binary, args, { timeout: 10_000, env: { NOTIFY_SOCKET: socket, PATH: env.PATH } }, (err) => {
          if (err) onError(err);
          resolve();
        });
      }),
  };
}
