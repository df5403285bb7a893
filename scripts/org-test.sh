#!/usr/bin/env bash
set -euo pipefail
usage() {
    cat <<'USAGE'
Usage: scripts/org-test.sh [-o ALIAS] [-m MIN_COVERAGE]

Runs the org's local Apex tests (package and demo) with code coverage, writes the results to
artifacts/apex-tests/ and fails when a test fails or the run's coverage is below MIN_COVERAGE percent.

  -o ALIAS          target org (default: $SF_ORG_ALIAS or statisfy-dev)
  -m MIN_COVERAGE   lowest acceptable coverage in percent (default: 90)
  -h                show this help
USAGE
}
source "$(dirname "$0")/sf-common.sh"

min_coverage=90
while getopts ':o:m:h' opt; do
    case "$opt" in
        o) SF_ORG_ALIAS="$OPTARG" ;;
        m) min_coverage="$OPTARG" ;;
        h) usage; exit 0 ;;
        :) die "option -$OPTARG needs a value" ;;
        *) usage >&2; exit 2 ;;
    esac
done
[[ "$min_coverage" =~ ^[0-9]+$ && "$min_coverage" -le 100 ]] || die "-m must be a percentage from 0 to 100, not $min_coverage"

out=artifacts/apex-tests
rm -rf "$out"
mkdir -p "$out"
log "Running local Apex tests in $SF_ORG_ALIAS"
sf apex run test \
    --test-level RunLocalTests \
    --code-coverage \
    --result-format human \
    --output-dir "$out" \
    --wait 30 \
    --target-org "$SF_ORG_ALIAS"

run_id="$(cat "$out/test-run-id.txt")"
coverage="$(node -e 'const r = require(process.argv[1]); console.log(parseInt(r.summary.testRunCoverage, 10))' "$REPO_ROOT/$out/test-result-$run_id.json")"
log "Test run coverage: $coverage % (minimum $min_coverage %)"
[[ "$coverage" -ge "$min_coverage" ]] || die "coverage $coverage % is below $min_coverage %"
