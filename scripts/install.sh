#!/usr/bin/env bash
# Installs a production edge gateway on this box (Raspberry Pi OS bookworm, Debian 12, Ubuntu 24.04)
# from a release archive (npm run package): run-time packages only, the app in /opt/edge-gateway,
# a system user, /etc/edge-gateway/gateway.yaml, each secret as a systemd credential, the unit,
# then starts it and diagnoses the cameras (a verdict a line). Idempotent: run it again and nothing changes.
#
#   install.sh [--from ARCHIVE] [--site-id ID --site-name NAME --destination URL ... --mqtt-url URL
#              --mqtt-username USER --camera-username USER] [--secret NAME=FILE ...] [--lang vi|en]
#              [--yes] [--no-start] [--no-diagnose] [--offline]
#   install.sh --upgrade --from ARCHIVE     new app and unit; configuration, secrets, store, spool kept
#   install.sh --uninstall [--purge]        removes all but the store and spool (--purge: those too)
#
# Exit codes (sysexits): 64 usage, 69 a required program missing, 70 internal, 78 configuration.
set -euo pipefail

APP=/opt/edge-gateway
ETC=/etc/edge-gateway
CREDS=$ETC/credentials
CONFIG=$ETC/gateway.yaml
UNIT=/etc/systemd/system/edge-gateway.service
DROPIN=/etc/systemd/system/edge-gateway.service.d/credentials.conf
STATE=/var/lib/edge-gateway
LOGS=/var/log/edge-gateway
USER_NAME=edge-gateway

from="" mode=install purge=0 yes=0 start=1 diagnose=1 offline=0
site_id="" site_name="" mqtt_url="" mqtt_user="" cam_user=""
destinations=() secrets=()
lang=$([[ "${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}" == vi* ]] && echo vi || echo en)

# say EN VI: one message in the installer's language.
say() { if [ "$lang" = vi ]; then echo "$2"; else echo "$1"; fi; }
die() {
  local code=$1
  shift
  echo "install.sh: $(say "$@")" >&2
  exit "$code"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --from) from=$2; shift 2 ;;
    --upgrade) mode=upgrade; shift ;;
    --uninstall) mode=uninstall; shift ;;
    --purge) purge=1; shift ;;
    --site-id) site_id=$2; shift 2 ;;
    --site-name) site_name=$2; shift 2 ;;
    --destination) destinations+=("$2"); shift 2 ;;
    --mqtt-url) mqtt_url=$2; shift 2 ;;
    --mqtt-username) mqtt_user=$2; shift 2 ;;
    --camera-username) cam_user=$2; shift 2 ;;
    --secret) secrets+=("$2"); shift 2 ;;
    --lang) lang=$2; shift 2 ;;
    --yes | -y) yes=1; shift ;;
    --no-start) start=0; shift ;;
    --no-diagnose) diagnose=0; shift ;;
    --offline) offline=1; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die 64 "unknown option $1 (see --help)" "tùy chọn không hợp lệ $1 (xem --help)" ;;
  esac
done
[ "$(id -u)" -eq 0 ] || die 64 "run as root (sudo $0 ...)" "cần chạy với quyền root (sudo $0 ...)"
systemd_up() { [ -d /run/systemd/system ]; }
interactive() { [ "$yes" -eq 0 ] && [ -t 0 ]; }

# --- uninstall --------------------------------------------------------------------------------
if [ "$mode" = uninstall ]; then
  if systemd_up; then systemctl disable --now edge-gateway 2>/dev/null || true; fi
  rm -rf "$APP" "$APP.new" "$APP.old" "$ETC" "$UNIT" "$(dirname "$DROPIN")"
  if [ "$purge" -eq 1 ]; then
    rm -rf "$STATE" "$LOGS"
    id "$USER_NAME" >/dev/null 2>&1 && userdel "$USER_NAME"
    say "Removed the gateway, its store and its recordings." "Đã gỡ gateway, cơ sở dữ liệu và bản ghi."
  else
    say "Removed the gateway; kept the store and recordings in $STATE (--purge removes them)." \
      "Đã gỡ gateway; giữ lại cơ sở dữ liệu và bản ghi trong $STATE (--purge để xoá)."
  fi
  systemd_up && systemctl daemon-reload
  exit 0
fi

# --- run-time packages ------------------------------------------------------------------------
missing=()
for p in ffmpeg iproute2; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$offline" -eq 1 ] && die 69 "missing packages: ${missing[*]} (install them, or run without --offline)" \
    "thiếu gói: ${missing[*]} (cài chúng, hoặc chạy không có --offline)"
  say "Installing ${missing[*]}..." "Đang cài ${missing[*]}..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die 69 "apt-get could not install ${missing[*]}" "apt-get không cài được ${missing[*]}"
fi
node_ok=$(/usr/bin/node -e 'const [a,b]=process.versions.node.split(".").map(Number);console.log(a>20||(a===20&&b>=19)?1:0)' 2>/dev/null || echo 0)
[ "$node_ok" = 1 ] || die 69 "Node.js 20.19 or newer is needed at /usr/bin/node (docs/install.md: Node.js)" \
  "cần Node.js 20.19 trở lên tại /usr/bin/node (xem docs/install.md: Node.js)"

# --- the app ----------------------------------------------------------------------------------
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$from" ] && [ -f "$here/RELEASE" ]; then from=$here; fi
[ -n "$from" ] || die 64 "give the release archive: --from edge-gateway-VERSION-linux-ARCH.tar.gz" \
  "cần tệp phát hành: --from edge-gateway-VERSION-linux-ARCH.tar.gz"
[ "$mode" = upgrade ] && [ ! -d "$APP" ] && die 64 "--upgrade: nothing installed in $APP" "--upgrade: chưa cài gì trong $APP"
rm -rf "$APP.new" && mkdir -p "$APP.new"
if [ -d "$from" ]; then
  cp -a "$from/." "$APP.new/"
else
  [ -f "$from" ] || die 64 "no such archive: $from" "không có tệp: $from"
  tar -xzf "$from" -C "$APP.new" --strip-components=1 --no-same-owner || die 64 "cannot unpack $from" "không giải nén được $from"
fi
[ -f "$APP.new/dist/edge-gateway.mjs" ] || die 64 "$from is not an edge-gateway release" "$from không phải bản phát hành edge-gateway"
want=$(cut -d' ' -f2 "$APP.new/RELEASE")
have=$(/usr/bin/node -p process.arch)
[ "$want" = "$have" ] || die 64 "$from is for $want, this machine is $have" "$from dành cho $want, máy này là $have"
chown -R root:root "$APP.new" && chmod -R go-w "$APP.new"
# Swap in one step: a failed unpack above leaves the running version as it was.
[ -d "$APP" ] && rm -rf "$APP.old" && mv "$APP" "$APP.old"
mv "$APP.new" "$APP" && rm -rf "$APP.old"
gw() { /usr/bin/node "$APP/dist/edge-gateway.mjs" "$@"; }

# --- user -------------------------------------------------------------------------------------
id "$USER_NAME" >/dev/null 2>&1 ||
  useradd --system --user-group --home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin "$USER_NAME"

# --- configuration ----------------------------------------------------------------------------
ask() { # ask VAR "English" "Tiếng Việt" [default]
  local __v=$1 def=${4:-} answer
  [ -n "${!__v}" ] && return 0
  if interactive; then
    read -r -p "$(say "$2" "$3")${def:+ [$def]}: " answer </dev/tty
    printf -v "$__v" '%s' "${answer:-$def}"
  else
    printf -v "$__v" '%s' "$def"
  fi
}
mkdir -p "$ETC" "$CREDS"
chmod 0750 "$ETC" && chgrp "$USER_NAME" "$ETC" && chmod 0700 "$CREDS"
if [ ! -f "$CONFIG" ]; then
  [ "$mode" = upgrade ] && die 78 "--upgrade: $CONFIG is missing" "--upgrade: thiếu $CONFIG"
  ask site_id "Site id (lower case, e.g. khu-a)" "Mã điểm (chữ thường, ví dụ khu-a)"
  ask site_name "Site name" "Tên điểm" "$site_id"
  if [ "${#destinations[@]}" -eq 0 ] && interactive; then
    read -r -p "$(say "Destination URL (rtmp://, rtsp://, srt://; empty for none)" "Địa chỉ điểm nhận (rtmp://, rtsp://, srt://; bỏ trống nếu không có)"): " d </dev/tty
    [ -n "$d" ] && destinations+=("$d")
  fi
  ask mqtt_url "MQTT broker URL" "Địa chỉ MQTT broker" "mqtt://127.0.0.1:1883"
  ask mqtt_user "MQTT user name (empty for none)" "Tên đăng nhập MQTT (bỏ trống nếu không có)"
  ask cam_user "Camera user name for discovery (empty for none)" "Tên đăng nhập camera để dò tìm (bỏ trống nếu không có)"
  [ -n "$site_id" ] || die 78 "a site id is needed: --site-id ID" "cần mã điểm: --site-id ID"
  {
    echo "# Written by install.sh; every key: /opt/edge-gateway/docs/configuration.md."
    echo "# Each secret reference is a systemd credential file in $CREDS/."
    echo "site:"
    echo "  id: $site_id"
    echo "  name: '${site_name//\'/\'\'}'"
    echo "discovery:"
    if [ -n "$cam_user" ]; then echo "  username: $cam_user"; echo "  password: \${CAM_DEFAULT_PASSWORD}"; else echo "  {}"; fi
    echo "destinations:"
    if [ "${#destinations[@]}" -eq 0 ]; then echo "  []"; fi
    i=0
    for d in "${destinations[@]}"; do
      i=$((i + 1))
      echo "  - id: dest-$i"
      echo "    url: '$d'"
    done
    echo "recording:"
    echo "  dir: $STATE/recordings"
    echo "store:"
    echo "  path: $STATE/gateway.db"
    echo "mqtt:"
    echo "  url: '$mqtt_url'"
    if [ -n "$mqtt_user" ]; then echo "  username: $mqtt_user"; echo "  password: \${MQTT_PASSWORD}"; fi
    echo "http:"
    echo "  port: 9464"
  } >"$CONFIG.new"
  # Judged before it takes the place of anything: a wrong flag leaves no half-made configuration.
  gw config check "$CONFIG.new" >/dev/null || { rm -f "$CONFIG.new"; die 78 "the configuration from these answers is not valid (above)" "cấu hình từ các câu trả lời này không hợp lệ (xem trên)"; }
  mv "$CONFIG.new" "$CONFIG"
fi
chown root:"$USER_NAME" "$CONFIG" && chmod 0640 "$CONFIG"

# --- secrets as systemd credentials -----------------------------------------------------------
for s in "${secrets[@]}"; do
  name=${s%%=*} file=${s#*=}
  [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] && [ -r "$file" ] ||
    die 64 "--secret wants NAME=FILE with a readable file (got $name)" "--secret cần NAME=FILE với tệp đọc được (nhận $name)"
  install -m 0600 -o root -g root "$file" "$CREDS/$name"
done
names=$(grep -v '^[[:space:]]*#' "$CONFIG" | grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' | tr -d '${}' | sort -u || true)
for name in $names; do
  if [ ! -s "$CREDS/$name" ] && interactive; then
    read -r -s -p "$(say "Value of secret $name (not shown; empty to set later)" "Giá trị bí mật $name (không hiển thị; bỏ trống để đặt sau)"): " value </dev/tty
    echo
    [ -n "$value" ] && (umask 077 && printf '%s' "$value" >"$CREDS/$name")
  fi
  # An empty file keeps LoadCredential= from failing the start; the pre-start check names it.
  [ -f "$CREDS/$name" ] || : >"$CREDS/$name"
  chown root:root "$CREDS/$name" && chmod 0600 "$CREDS/$name"
done
mkdir -p "$(dirname "$DROPIN")"
{
  echo "# Written by install.sh: one credential per \${NAME} of $CONFIG."
  echo "[Service]"
  for name in $names; do echo "LoadCredential=$name:$CREDS/$name"; done
} >"$DROPIN.new"
mv "$DROPIN.new" "$DROPIN" && chmod 0644 "$DROPIN"

# --- unit -------------------------------------------------------------------------------------
install -m 0644 "$APP/systemd/edge-gateway.service" "$UNIT"
gw config check --credentials "$CREDS" "$CONFIG" || die 78 "$CONFIG is not valid (above)" "$CONFIG không hợp lệ (xem trên)"
unset_secrets=$(for n in $names; do [ -s "$CREDS/$n" ] || echo "$n"; done)
if [ -n "$unset_secrets" ]; then
  say "Secrets to set before the gateway can start (then: systemctl restart edge-gateway):" \
    "Các bí mật cần đặt trước khi gateway khởi động được (rồi: systemctl restart edge-gateway):"
  for n in $unset_secrets; do echo "  install -m 600 /dev/stdin $CREDS/$n"; done
fi

if ! systemd_up; then
  say "systemd is not running here: installed, not started." "systemd không chạy ở đây: đã cài, chưa khởi động."
else
  systemctl daemon-reload
  systemctl enable edge-gateway >/dev/null 2>&1
fi
if systemd_up && [ "$start" -eq 1 ] && [ -z "$unset_secrets" ]; then
  systemctl restart edge-gateway || true
  if systemctl is-active --quiet edge-gateway; then
    say "edge-gateway is running: systemctl status edge-gateway; journalctl -u edge-gateway" \
      "edge-gateway đang chạy: systemctl status edge-gateway; journalctl -u edge-gateway"
  else
    say "edge-gateway did not start; the reason is in: journalctl -u edge-gateway -n 20" \
      "edge-gateway không khởi động được; lý do xem: journalctl -u edge-gateway -n 20"
  fi
fi

# --- cameras ----------------------------------------------------------------------------------
if [ "$diagnose" -eq 1 ]; then
  say "Diagnosing the cameras (configured and discovered), a line each..." \
    "Đang chẩn đoán camera (đã khai báo và dò được), mỗi camera một dòng..."
  # The secrets are read from the credential files, as the service reads them: never in argv or env.
  # survey: discovery, the diagnose ladder on each camera, at most 2 logins to flag a default password.
  CREDENTIALS_DIRECTORY=$CREDS gw --lang "$lang" survey --config "$CONFIG" --format brief || true
fi
