#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine:
#   - chainrule itself with its `test` extra (pytest, hypothesis, matplotlib, graphviz's
#     Python package and PyTorch 2.13, the reference the tests compare against);
#   - Debian's chromium (the explain page is tested in a real headless browser) and
#     graphviz (graph pictures), when apt-get is available and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v dot >/dev/null 2>&1 || missing+=(graphviz)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} with apt-get"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null) \
      || echo "warning: could not install ${missing[*]}; the browser/graphviz tests will skip"
  fi
fi
python -m pip install -q -e ".[test]"
