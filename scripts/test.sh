#!/usr/bin/env bash
# Run the whole test suite (lint, unit, integration, browser). DATABASE_URL selects PostgreSQL.
source "$(dirname "$0")/setup.sh"
# Debian packages the tests need: a browser, CJK fonts for screenshots and PDFs, pdftoppm to rasterise PDFs.
packages="chromium fonts-noto-cjk fonts-wqy-microhei poppler-utils"
if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null \
  || [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || ! fc-list 2>/dev/null | grep -qi "CJK"; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq $packages >/dev/null
  else
    echo "测试需要以下 Debian 软件包：sudo apt-get install $packages" >&2
    exit 1
  fi
fi
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
exec .venv/bin/pytest "$@"
