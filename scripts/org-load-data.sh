#!/usr/bin/env bash
set -euo pipefail
usage() {
    cat <<'USAGE'
Usage: scripts/org-load-data.sh [-o ALIAS]

Loads the demo data into an org where force-app and demo are deployed:
  1. the package's default sync configuration (Account, Opportunity, Contact as "People"), which a source
     deploy does not create because post-install scripts only run on package installs;
  2. demo/data/sample-data-plan.json: accounts, people, opportunities, the Success Plan sync configuration
     and success plans (sf data import tree).
Every insert of a synced record publishes Record_Change__e, so the companion sees the data arrive.

  -o ALIAS   target org (default: $SF_ORG_ALIAS or statisfy-dev)
  -h         show this help
USAGE
}
source "$(dirname "$0")/sf-common.sh"

while getopts ':o:h' opt; do
    case "$opt" in
        o) SF_ORG_ALIAS="$OPTARG" ;;
        h) usage; exit 0 ;;
        :) die "option -$OPTARG needs a value" ;;
        *) usage >&2; exit 2 ;;
    esac
done

log "Creating the default sync configuration in $SF_ORG_ALIAS"
sf apex run --file demo/apex/ensure-defaults.apex --target-org "$SF_ORG_ALIAS"
log "Importing demo/data/sample-data-plan.json"
sf data import tree --plan demo/data/sample-data-plan.json --target-org "$SF_ORG_ALIAS"
