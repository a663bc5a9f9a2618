#!/usr/bin/env bash
# Run the whole test suite (lint, unit, integration, browser). DATABASE_URL selects PostgreSQL.
source "$(dirname "$0")/setup.sh"
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "CJK"; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "浏览器测试需要 Debian 的 chromium 与 fonts-noto-cjk：sudo apt-get install chromium fonts-noto-cjk" >&2
    exit 1
  fi
fi
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
exec .venv/bin/pytest "$@"
