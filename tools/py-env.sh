#!/usr/bin/env bash
# Creates (once) the Python virtualenv the integration tests use, at
# ~/.cache/kgw/venv (override: KGW_VENV), with pytest, confluent-kafka and
# kafka-python (newest releases from PyPI), and prints the venv's path on
# stdout, plus the compression modules kafka-python needs for snappy, lz4
# and zstd (python-snappy, lz4, zstandard). Re-running is cheap: a marker file records a finished install;
# KGW_VENV_UPGRADE=1 forces an upgrade to the newest releases.
# Usage: venv=$(tools/py-env.sh) && "$venv/bin/python" -m pytest ...
set -euo pipefail

venv=${KGW_VENV:-${HOME}/.cache/kgw/venv}
packages=(pytest confluent-kafka kafka-python python-snappy lz4 zstandard)
marker="$venv/.kgw-packages"

if [ ! -x "$venv/bin/python" ]; then
  echo "py-env: creating virtualenv $venv" >&2
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" >&2 ||
    { echo "py-env: 'python3 -m venv $venv' failed; install python3-venv (tools/install-deps.sh)" >&2; exit 1; }
fi

if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "${packages[*]}" ] || [ "${KGW_VENV_UPGRADE:-0}" = 1 ]; then
  echo "py-env: installing ${packages[*]} into $venv" >&2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade "${packages[@]}" >&2 ||
    { echo "py-env: pip install ${packages[*]} failed (see above)" >&2; exit 1; }
  echo "${packages[*]}" >"$marker"
  "$venv/bin/python" - >&2 <<'PY'
import confluent_kafka, kafka, pytest
print("py-env: confluent-kafka %s (librdkafka %s), kafka-python %s, pytest %s"
      % (confluent_kafka.__version__, confluent_kafka.libversion()[0],
         kafka.__version__, pytest.__version__))
PY
fi
echo "$venv"
