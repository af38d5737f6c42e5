#!/bin/sh
# Makes sure Debian's chromium is installed for the browser tests (test/browser/), driven by
# playwright-core (never `npx playwright install`). Idempotent and quiet: nothing happens when
# /usr/bin/chromium exists; as root it is installed with apt; otherwise it says what to run.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: $CHROMIUM is missing; install it as root: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-liberation fonts-dejavu-core; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-chromium: apt-get could not install chromium" >&2
  exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: chromium was installed but $CHROMIUM is missing" >&2
  exit 1
fi
