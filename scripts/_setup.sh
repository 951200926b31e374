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
.venv/bin/pybabel compile --use-fuzzy -q -d examsvc/translations 2>/dev/null || .venv/bin/pybabel compile -d examsvc/translations
