#!/usr/bin/env bash
# The single test command: installs everything the suite needs, then runs the whole suite.
# Idempotent; meant for root on Debian 12 (python3 3.11), also used by .ci/run.
# Extra arguments are passed to pytest, e.g.  bash tests/run-all.sh -k browser -x
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DEBIAN_FRONTEND=noninteractive

# 1. System packages, only those missing: Debian's chromium for Playwright, chromedriver,
#    Java for vnu.jar; python3-venv (ensurepip) and npm only if the machine lacks them.
#    Never "playwright install" (browser downloads are blocked).
apt_pkgs=()
command -v chromium >/dev/null 2>&1     || apt_pkgs+=(chromium)
command -v chromedriver >/dev/null 2>&1 || apt_pkgs+=(chromium-driver)
command -v java >/dev/null 2>&1         || apt_pkgs+=(openjdk-17-jre-headless)
command -v npm >/dev/null 2>&1          || apt_pkgs+=(npm)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || apt_pkgs+=(python3-venv)
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run-all.sh: missing system packages: ${apt_pkgs[*]} (run as root or install them)" >&2
    exit 1
  fi
  echo "run-all.sh: apt-get install ${apt_pkgs[*]}" >&2
  apt-get update -qq
  apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi

# 2. Python virtualenv with pinned runtime + dev dependencies and the package itself (editable).
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install -q --disable-pip-version-check -r requirements-dev.txt -e .

# 3. Node tools (axe-core, vnu-jar) exactly as locked.
npm ci --no-audit --no-fund --loglevel=error

# 4. The suite. pytest exit 5 ("no tests collected") counts as a failure.
rc=0
python -m pytest -q --screenshot=only-on-failure --output=test-results "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
  echo "run-all.sh: pytest collected no tests - treating as failure" >&2
  exit 1
fi
exit "$rc"
