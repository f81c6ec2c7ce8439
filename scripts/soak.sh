#!/bin/sh
# Soak: the reliability tests at a big scale (RELIABILITY_SCALE, default 10):
# 8 agents x 600 actions, 120 SIGKILLed imports of up to 30,000 lines,
# ~10,000+ fuzz cases per property, backups of 20,000 tickets under writes.
# Run as root to include the OS-user, read-only-file and full-disk cases.
#   scripts/soak.sh            # scale 10, release build
#   RELIABILITY_SCALE=50 scripts/soak.sh
set -eu
cd "$(dirname "$0")/.."
: "${RELIABILITY_SCALE:=10}"
export RELIABILITY_SCALE
echo "soak: RELIABILITY_SCALE=$RELIABILITY_SCALE"
# One test binary at a time, one test at a time: the figures each test
# prints (--nocapture) stay readable and the machine is not oversubscribed.
exec cargo test --release --test 'reliability_*' -- --nocapture --test-threads 1 "$@"
