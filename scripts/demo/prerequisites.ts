// What the demo needs from the system (scripts/setup.sh installs all of it); checked first so a
// newcomer gets one line saying what is missing instead of a stack trace from the tenth process.
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const NEEDS: [string, () => boolean][] = [
  ['ffmpeg', () => onPath('ffmpeg') && onPath('ffprobe')],
  ['mosquitto', () => existsSync('/usr/sbin/mosquitto')],
  ['nginx + libnginx-mod-rtmp', () => existsSync('/usr/sbin/nginx')],
  [
    'GStreamer RTSP server (python3-gi, gir1.2-gst-rtsp-server-1.0)',
    () => existsSync('/usr/lib/python3/dist-packages/gi') && existsSync('/usr/bin/python3'),
  ],
];

/** Names of what is missing; empty when the demo can run. */
export function checkPrerequisites(): string[] {
  return NEEDS.filter(([, ok]) => !ok()).map(([name]) => name);
}
