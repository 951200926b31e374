# Shared by scripts/serve and scripts/test: a virtualenv with the project installed and
# the translations compiled. Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing examsvc${EXTRAS:+[$EXTRAS]} into .venv"
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e ".${EXTRAS:+[$EXTRAS]}"
# PDFs (admission tickets) need a Chinese font: Debian's Noto CJK, installed when we are root.
if ! ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 \
    && [ -z "${EXAMSVC_PDF_FONT:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing the Chinese fonts for PDFs (fonts-noto-cjk)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null
  else
    echo "!! no Chinese font: PDFs are refused until 'sudo apt-get install fonts-noto-cjk'" \
      "(or EXAMSVC_PDF_FONT names a .ttf/.otf/.ttc with Chinese)" >&2
  fi
fi
.venv/bin/pybabel compile --use-fuzzy -q -d examsvc/translations 2>/dev/null || .venv/bin/pybabel compile -d examsvc/translations
