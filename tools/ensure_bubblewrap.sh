#!/usr/bin/env bash
# Graded notebooks run in a bubblewrap sandbox (autograder/sandbox.py), and its tests
# start real sandboxed kernels. Install Debian's bubblewrap with apt-get when we are
# root, otherwise say exactly what to install; then check that bwrap can create its
# namespaces here.
set -euo pipefail
if ! command -v bwrap >/dev/null; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "Installing Debian's bubblewrap for the grading sandbox (apt-get)..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
    else
        echo "Grading runs student code in a bubblewrap sandbox, and bwrap is not installed." >&2
        echo "Install it as root with:  apt-get update && apt-get install -y bubblewrap" >&2
        echo "(or grade without isolation: make autograde UNSANDBOXED=1)" >&2
        exit 1
    fi
fi
if [ "$(id -u)" = "0" ]; then
    unshare=(--unshare-pid --unshare-net --unshare-ipc --unshare-uts)
else
    unshare=(--unshare-all)
fi
if ! err=$(bwrap "${unshare[@]}" --die-with-parent --ro-bind / / --proc /proc --dev /dev true 2>&1); then
    echo "bwrap is installed but cannot create its namespaces here: $err" >&2
    echo "Enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1;" >&2
    echo "on Ubuntu also kernel.apparmor_restrict_unprivileged_userns=0), or grade as root." >&2
    exit 1
fi
if ! err=$(bwrap "${unshare[@]}" --ro-bind / / --perms 1777 --size 1048576 --tmpfs /tmp true 2>&1); then
    echo "This bwrap cannot make size-limited tmpfs mounts ($err): the sandbox needs" >&2
    echo "bubblewrap 0.8 or newer (Debian 12, Ubuntu 23.04)." >&2
    exit 1
fi
