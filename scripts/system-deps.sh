#!/usr/bin/env bash
# Installs the Debian packages LinkDesk needs, or says exactly what to install.
# Usage: scripts/system-deps.sh run|test
#   run:  the libraries Qt loads (offscreen and on a real X11/Wayland desktop)
#   test: those, plus Chromium and its driver (browser tests) and what PyInstaller needs
set -euo pipefail
mode=${1:-run}

RUN_PKGS=(
  libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfreetype6 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
  libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0
)
TEST_PKGS=(chromium chromium-driver binutils)
# PyInstaller needs the shared libpython; Debian's own python3 keeps it in a separate package.
case "$(command -v python3 || true)" in
  /usr/bin/*) TEST_PKGS+=("libpython3.$(python3 -c 'import sys; print(sys.version_info[1])')") ;;
esac

pkgs=("${RUN_PKGS[@]}")
[ "$mode" = test ] && pkgs+=("${TEST_PKGS[@]}")

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian-based system; make sure Qt's libraries (libGL, libEGL, fontconfig, xkbcommon) are installed." >&2
  exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "LinkDesk needs these system packages first. Run:" >&2
  echo "  sudo apt-get update && sudo $line" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
