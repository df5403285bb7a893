#!/usr/bin/env bash
set -euo pipefail
usage() {
    cat <<'USAGE'
Usage: scripts/org-setup.sh [-o ALIAS] [-v DEVHUB] [-d DAYS] [-i INTEGRATION_USERNAME] [--skip-tests]

A ready development org in one step: create a scratch org, deploy force-app, unpackaged (the permission set
Statisfy_Integration_Standard, which a managed package cannot carry) and demo, assign Statisfy_Admin (and with -i
both integration permission sets), load the demo data and run the Apex tests.

  -o ALIAS       scratch org alias (default: $SF_ORG_ALIAS or statisfy-dev)
  -i USERNAME    the companion's integration user: gets Statisfy_Integration and Statisfy_Integration_Standard
  -v DEVHUB      Dev Hub username or alias (default: $SF_DEVHUB or the default Dev Hub)
  -d DAYS        days until the org expires (default: 7)
  --skip-tests   do not run the Apex tests
  -h             show this help
USAGE
}
source "$(dirname "$0")/sf-common.sh"

days=7
tests=true
integration=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        -o) require_value "$@"; SF_ORG_ALIAS="$2"; shift 2 ;;
        -v) require_value "$@"; SF_DEVHUB="$2"; shift 2 ;;
        -d) require_value "$@"; days="$2"; shift 2 ;;
        -i) require_value "$@"; integration=(-i "$2"); shift 2 ;;
        --skip-tests) tests=false; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option $1" ;;
    esac
done
export SF_ORG_ALIAS SF_DEVHUB

here="$(dirname "$0")"
"$here/org-create.sh" -o "$SF_ORG_ALIAS" -d "$days"
"$here/org-deploy.sh" -o "$SF_ORG_ALIAS"
"$here/org-assign-permsets.sh" -o "$SF_ORG_ALIAS" ${integration[@]+"${integration[@]}"}
"$here/org-load-data.sh" -o "$SF_ORG_ALIAS"
if [[ "$tests" == true ]]; then
    "$here/org-test.sh" -o "$SF_ORG_ALIAS"
fi
log "Ready: sf org open --target-org $SF_ORG_ALIAS --path lightning/n/Statisfy_Home"
