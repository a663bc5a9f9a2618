#!/usr/bin/env bash
# Start the platform with demo data on the embedded SQLite database: http://127.0.0.1:8000
source "$(dirname "$0")/setup.sh"
export SKILLBRIDGE_DEMO=1
.venv/bin/skillbridge demo
# The background worker runs long jobs (xlsx imports); it stops with the server.
.venv/bin/skillbridge db_worker &
worker=$!
trap 'kill $worker 2>/dev/null' EXIT
echo "平台地址：http://${SKILLBRIDGE_ADDR:-127.0.0.1:8000}  （Ctrl+C 停止）"
.venv/bin/skillbridge serve "${SKILLBRIDGE_ADDR:-127.0.0.1:8000}"
