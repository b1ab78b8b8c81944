#!/usr/bin/env bash
# The build script moved to src/local/ with the rest of the local cluster; this path stays for CI and habits.
exec bash "$(dirname "$0")/../../src/local/build-binaries.sh" "$@"
