#!/usr/bin/env bash
# One-time set-up of a checkout on Debian 12 or Raspberry Pi OS (bookworm): the system packages
# the gateway and its tests need, then the npm dependencies. Idempotent: safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  ffmpeg                        # relay, recording, ffprobe in diagnose
  mosquitto                     # MQTT broker started by the tests on a free port
  mosquitto-clients             # mosquitto_sub: the demo tells the user to watch the telemetry with it
  iproute2                      # ss: bitrates and black-hole resets in the relay; netns for fault tests
  util-linux                    # taskset and chrt: each camera's ffmpeg kept on one CPU (Essential: always there)
  nftables                      # fault tests black-hole one loopback port (packets dropped, no ACKs)
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp   # RTSP server of the simulated site
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
  nginx-light libnginx-mod-rtmp # RTMP ingest of the relay tests (test/ingest), started by the tests
  stunnel4                      # TLS in front of that nginx: the RTMPS ingest of the tests
  srt-tools                     # srt-live-transmit: the SRT listener of the tests
  openssl                       # the tests make the RTSPS/RTMPS ingests' certificates
  python3 make g++              # better-sqlite3 builds from source when no prebuilt binary is reachable
  chromium poppler-utils        # survey tests open the HTML report headless and check its A4 PDF (pdfinfo)
  fonts-dejavu-core             # glyphs for Vietnamese in the printed report
  prometheus                    # promtool check metrics judges /metrics in the tests (the server is not started)
  faketime                      # libfaketime: the clock-step test steps the daemon's wall clock mid-run
  systemd                       # systemd-analyze (unit security and verify tests), systemd-notify (sd_notify); nothing starts it
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup.sh: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts mosquitto as a service where systemd runs; the gateway's tests start their own.

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
node_minor=$(node -p 'process.versions.node.split(".")[1]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 19 ]; }; then
  echo "setup.sh: Node.js 20.19 or newer is required (found $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
# The service runs a bundle with plain node: ~30 MB less than transpiling with tsx at run time.
npm run build --silent
echo "setup.sh: ready. Run: npm run demo (then npm test)"
