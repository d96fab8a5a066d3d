#!/usr/bin/env bash
# The fault demo, small, as a test: the surge on a primary + 2 replicas + 3 sentinels with the
# primary killed in the middle of the purchases (scripts/surge.sh --ha). Passes when the
# sentinels promoted a replica, the gateway's unavailability shows in the report, and the audit
# (reading the promoted replica, with the payment back end's ledger) passes.
set -uo pipefail
out=$(FANS=${FANS:-600} bash "$(dirname "$0")/../../scripts/surge.sh" --ha 2>&1)
rc=$?
echo "$out" | grep -v '^\[ *[0-9]* s\]'
[ $rc -eq 0 ] || { echo "FAIL: surge.sh --ha exited $rc"; exit 1; }
grep -q '^== failover: the sentinels promoted' <<<"$out" || { echo "FAIL: no failover happened"; exit 1; }
grep -q 'when the gateway could not answer' <<<"$out" || { echo "FAIL: the report shows no unavailability"; exit 1; }
grep -q '^RESULT: PASS' <<<"$out" || { echo "FAIL: the audit did not pass"; exit 1; }
echo "PASS: failover in the middle of the surge, every sale found"
