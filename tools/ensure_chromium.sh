#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Playwright; Playwright's own
# browser download cannot work offline. Install chromium with apt-get when we
# are root, otherwise say exactly what to install.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests (apt-get)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
    exit 0
fi
echo "The browser tests need Debian's chromium at /usr/bin/chromium." >&2
echo "Install it as root with:  apt-get update && apt-get install -y chromium" >&2
exit 1
