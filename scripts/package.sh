#!/usr/bin/env bash
# npm run package [-- --arch x64|arm64]: a self-contained release archive for one architecture:
# the bundle (dist/), production node_modules with a built better-sqlite3, the unit, the installer
# and the docs. A box installs it offline: tar xf ARCHIVE && sudo ./edge-gateway-*/install.sh
# (or scripts/install.sh --from ARCHIVE). Nothing is compiled on the box.
#
# x64 on x64 (and arm64 on arm64, e.g. in the image of Dockerfile.arm64's build stage) reuses the
# checkout's node_modules, pruned to production. arm64 on x86-64 cross-compiles better-sqlite3 with
# Debian's g++-aarch64-linux-gnu against this node's headers (docs/install.md).
set -euo pipefail
cd "$(dirname "$0")/.."

host_arch=$(node -p process.arch)
arch=$host_arch
out=release
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "package.sh: unknown option $1 (--arch x64|arm64, --out DIR)" >&2; exit 64 ;;
  esac
done
case "$arch" in x64 | arm64) ;; *) echo "package.sh: --arch must be x64 or arm64 (got $arch)" >&2; exit 64 ;; esac

version=$(node -p 'require("./package.json").version')
name="edge-gateway-$version-linux-$arch"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
mkdir -p "$root" "$out"

# Built into the archive, not dist/: tests read dist/ while another builds a release.
npm run build --silent -- --outdir="$root/dist"
# fluent-ffmpeg's ffmpeg path: the relay finds it beside the bundle (src/relay/ffmpeg-process.ts).
install -m 755 src/relay/ffmpeg-launcher.sh "$root/dist/ffmpeg-launcher.sh"
cp -a package.json package-lock.json README.md "$root/"
mkdir -p "$root/systemd" "$root/config" "$root/docs"
cp systemd/edge-gateway.service "$root/systemd/"
cp config/gateway.example.yaml "$root/config/"
cp docs/install.md docs/configuration.md "$root/docs/" 2>/dev/null || true
cp scripts/install.sh "$root/install.sh"

if [ "$arch" = "$host_arch" ]; then
  # The checkout's modules were built for this machine: copy, then drop the dev dependencies.
  # The directory itself, not a link to it (a worktree's node_modules may be one): the prune below
  # must never touch the checkout's own modules.
  mkdir -p "$root/node_modules" && cp -a "$(realpath node_modules)/." "$root/node_modules/"
  (cd "$root" && npm prune --omit=dev --no-audit --no-fund --loglevel=error)
else
  [ "$arch" = arm64 ] && [ "$host_arch" = x64 ] || { echo "package.sh: cannot build $arch on $host_arch" >&2; exit 69; }
  command -v aarch64-linux-gnu-g++ >/dev/null || {
    echo "package.sh: arm64 on x86-64 needs the cross compiler: apt-get install g++-aarch64-linux-gnu" >&2
    exit 69
  }
  # Production modules with arm64's optional binaries (esbuild's, for tsx), scripts off; then
  # better-sqlite3 compiled for arm64 against this node's headers (same major as on the box).
  (cd "$root" && npm ci --omit=dev --cpu=arm64 --os=linux --ignore-scripts --no-audit --no-fund --loglevel=error)
  gyp="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
  (cd "$root/node_modules/better-sqlite3" &&
    CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ \
      node "$gyp" rebuild --release --arch=arm64 --nodedir="$(dirname "$(dirname "$(command -v node)")")")
fi
# The native module must be there and for the right machine: a box cannot build it.
addon="$root/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
[ -f "$addon" ] || { echo "package.sh: $addon is missing" >&2; exit 70; }
# ELF e_machine (offset 18): 0x3e x86-64, 0xb7 aarch64.
machine=$(od -An -tx1 -j18 -N1 "$addon" | tr -d ' ')
[ "$machine" = "$([ "$arch" = arm64 ] && echo b7 || echo 3e)" ] ||
  { echo "package.sh: $addon is not built for $arch (ELF machine 0x$machine)" >&2; exit 70; }
# Leftovers of the build nobody runs: sources and intermediate objects of the native module.
rm -rf "$root/node_modules/better-sqlite3/deps" "$root/node_modules/better-sqlite3/src" \
  "$root/node_modules/better-sqlite3/build/Release/obj" "$root/node_modules/better-sqlite3/build/Release/.deps" \
  "$root/node_modules/better-sqlite3/build/Release/obj.target" "$root/node_modules/better-sqlite3/build/deps"
echo "$version $arch $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" >"$root/RELEASE"

tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
echo "package.sh: $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1))"
