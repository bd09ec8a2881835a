#!/usr/bin/env bash
# Set up a fresh machine: a virtual environment with the course installed for
# instructors and tests, and Debian's Chromium for the browser tests.
# Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[instructor,test]'

# Browser for the JupyterLab tests: Debian's chromium (never a downloaded build).
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "note: chromium is not installed (apt-get install chromium); browser tests will skip" >&2
    fi
fi
echo "setup done: $(.venv/bin/python --version), nbgrader $(.venv/bin/python -c 'import nbgrader; print(nbgrader.__version__)')"
