#!/usr/bin/env bash
# The operating-system packages cqfleet needs, installed when they are missing.
#
#   bash scripts/system-deps.sh <package>...     e.g. redis-server nats-server
#
# Each package is known by the command it provides (redis-server, nats-server, ffmpeg,
# chromium: the browser the console's tests drive through playwright-core). When
# every command is there, nothing is printed. Otherwise, on Debian or Ubuntu as root (or with
# password-less sudo), the missing packages are installed with apt-get after a one-line notice;
# elsewhere the script names the exact packages to install and exits with 2.
#
# Used by `npm test`, by `npm start` (only for a server that does not answer), and by .ci/run.
#
# Commands are looked for on PATH and in CQFLEET_DEV_SBIN_DIRS (default: the sbin directories,
# where Debian puts nats-server and which are not on a normal user's PATH).
set -uo pipefail

sbin_dirs=${CQFLEET_DEV_SBIN_DIRS-/usr/local/sbin:/usr/sbin:/sbin}

found() {
  PATH="$PATH${sbin_dirs:+:$sbin_dirs}" command -v "$1" >/dev/null 2>&1
}

missing=()
for package in "$@"; do
  case "$package" in
    redis-server | nats-server | ffmpeg | chromium) found "$package" || missing+=("$package") ;;
    *)
      echo "system-deps.sh: unknown package $package" >&2
      exit 64
      ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  as_root=(none)
fi

if ! command -v apt-get >/dev/null 2>&1 || [ "${as_root[*]}" = none ]; then
  if command -v apt-get >/dev/null 2>&1; then how="sudo apt-get install -y ${missing[*]}"; else how="your system's packages: ${missing[*]}"; fi
  echo "cqfleet needs ${missing[*]}, which this machine lacks: install $how" >&2
  exit 2
fi

log=$(mktemp "${TMPDIR:-/tmp}/cqfleet-apt.XXXXXX")
echo "cqfleet: installing ${missing[*]} (apt-get, log in $log)" >&2
if ! { "${as_root[@]}" apt-get update -qq &&
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "cqfleet: apt-get could not install ${missing[*]} (log above)" >&2
  exit 2
fi
for package in "${missing[@]}"; do
  found "$package" || {
    echo "cqfleet: $package was installed but its command is still not found" >&2
    exit 2
  }
done
rm -f "$log"
