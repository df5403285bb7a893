#!/usr/bin/env bash
set -euo pipefail
usage() {
    cat <<'USAGE'
Usage: scripts/org-deploy.sh [-o ALIAS] [--no-demo] [--unpackaged-only]

Deploys the package source (force-app), then what a managed package cannot carry (unpackaged: the permission
set Statisfy_Integration_Standard with API Enabled and the synced standard objects and fields), then the demo
customer's metadata (demo: Success_Plan__c and its one-line trigger) to an org.

  -o ALIAS           target org (default: $SF_ORG_ALIAS or statisfy-dev)
  --no-demo          deploy force-app and unpackaged only
  --unpackaged-only  deploy unpackaged only: for an org where the managed package is installed
  -h                 show this help
USAGE
}
source "$(dirname "$0")/sf-common.sh"

demo=true
package=true
while [[ $# -gt 0 ]]; do
    case "$1" in
        -o) require_value "$@"; SF_ORG_ALIAS="$2"; shift 2 ;;
        --no-demo) demo=false; shift ;;
        --unpackaged-only) package=false; demo=false; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option $1" ;;
    esac
done

if [[ "$package" == true ]]; then
    log "Deploying force-app to $SF_ORG_ALIAS"
    sf project deploy start --source-dir force-app --target-org "$SF_ORG_ALIAS" --wait 30
fi
log "Deploying unpackaged to $SF_ORG_ALIAS"
sf project deploy start --source-dir unpackaged --target-org "$SF_ORG_ALIAS" --wait 30
if [[ "$demo" == true ]]; then
    log "Deploying demo to $SF_ORG_ALIAS"
    sf project deploy start --source-dir demo --target-org "$SF_ORG_ALIAS" --wait 30
fi
