#!/usr/bin/env bash
# Installs the Debian packages the workbook needs when they are missing:
#   chromium          static chart export (kaleido), the PDF report and the report's browser test
#   fonts-noto-cjk    Noto Sans CJK SC (SIL OFL), the font every chart names
#   poppler-utils     pdftoppm: the tests look at the PDF report's pages
# Idempotent: when everything is present it prints one line and runs no apt-get.
# Without root or sudo, or without apt-get (macOS, Windows, conda), it says what is missing and
# how to get it, and exits 0, so the Python parts still work (charts then come out as HTML and CSV only).
set -euo pipefail

# The font check reads fc-list's whole output into a variable before matching. Piping it into
# `grep -q` would not do under pipefail: grep exits at the first match, fc-list then dies of
# SIGPIPE (status 141), and the pipeline reads as "missing" whenever fc-list had more to write.
has_cjk_font() {
  local families
  families="$(fc-list : family 2>/dev/null)" || return 1
  [[ "$families" == *"Noto Sans CJK SC"* ]]
}

# A browser kaleido can drive: BROWSER_PATH (kaleido's own override), or one on PATH.
has_chromium() {
  { [ -n "${BROWSER_PATH:-}" ] && [ -x "${BROWSER_PATH}" ]; } ||
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
    command -v google-chrome >/dev/null 2>&1
}

need=()
has_chromium || need+=(chromium)
has_cjk_font || need+=(fonts-noto-cjk fontconfig)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)

if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: chromium, Noto Sans CJK SC and pdftoppm present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  {
    echo "system packages missing: ${need[*]} (no apt-get on this system; nothing installed)."
    echo "  browser (PNG/SVG/PDF charts, PDF report): install Google Chrome, Microsoft Edge or Chromium,"
    echo "    or set BROWSER_PATH to its binary; with internet, kaleido can fetch one: .venv/bin/kaleido_get_chrome"
    echo "  CJK font: the workbook also finds PingFang SC (macOS), Microsoft YaHei (Windows) and Noto Sans SC/CJK SC;"
    echo "    or set ANALYSIS_CJK_FONT to a font file"
  } >&2
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
