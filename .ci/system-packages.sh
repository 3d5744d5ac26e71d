#!/usr/bin/env bash
# Installs the Debian packages the workbook needs when they are missing:
#   chromium          static chart export (kaleido) and the report's browser test
#   fonts-noto-cjk    Noto Sans CJK SC (SIL OFL), the font every chart names
# Idempotent; prints what it does. Without root or sudo it says what to run and exits 0,
# so the Python parts still work (charts then come out as HTML and CSV only).
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
if ! fc-list 2>/dev/null | grep -q "Noto Sans CJK SC"; then need+=(fonts-noto-cjk fontconfig); fi
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)

if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: chromium and Noto Sans CJK SC present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "system packages missing: ${need[*]}. Run as root: apt-get update && apt-get install -y ${need[*]}" >&2
  exit 0
fi
echo "system packages: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "system packages: installed ${need[*]}"
