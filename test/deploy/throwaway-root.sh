#!/usr/bin/env bash
# throwaway-root.sh DIR CMD...: runs CMD in a private mount namespace where /etc, /opt and /var
# are overlays whose changes land in DIR (kept between runs), so an installer can add users,
# files and units as on a real box while the machine itself stays untouched. No systemd runs.
set -euo pipefail
dir=$1
shift
for d in etc opt var; do mkdir -p "$dir/$d/upper" "$dir/$d/work"; done
exec unshare --mount --propagation private bash -c '
  set -e
  for d in etc opt var; do
    mount -t overlay overlay -o "lowerdir=/$d,upperdir='"$dir"'/$d/upper,workdir='"$dir"'/$d/work" "/$d"
  done
  exec "$@"' throwaway-root "$@"
