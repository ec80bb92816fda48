#!/bin/sh
# The ffmpeg the gateway runs: fluent-ffmpeg's one ffmpeg path points here (ffmpeg-process.ts), for
# the relay's processes and for its own capability probes alike. util-linux setpriv asks the kernel
# to SIGKILL ffmpeg the moment the daemon dies (PR_SET_PDEATHSIG), even by SIGKILL or OOM, then
# execs it in place: the pid, signals and exit status are ffmpeg's. Without setpriv (not
# util-linux), plain ffmpeg: a leftover is then ended at the daemon's next start (orphans.ts).
if command -v setpriv >/dev/null 2>&1; then
  exec setpriv --pdeathsig KILL -- ffmpeg "$@"
fi
exec ffmpeg "$@"
