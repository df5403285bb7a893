#!/usr/bin/env bash
set -euo pipefail
usage() {
    cat <<'USAGE'
Usage: scripts/org-assign-permsets.sh [-o ALIAS] [-i INTEGRATION_USERNAME]

Assigns Statisfy_Admin to the org's default user. With -i, also assigns Statisfy_Integration (packaged) and
Statisfy_Integration_Standard (unpackaged: API Enabled and the synced standard objects; deployed by
scripts/org-deploy.sh) to the user the Statisfy companion logs in as (then set that user's Id as Integration User
Id in Statisfy Settings).

  -o ALIAS                 target org (default: $SF_ORG_ALIAS or statisfy-dev)
  -i INTEGRATION_USERNAME  username of the companion's integration user
  -h                       show this help
USAGE
}
source "$(dirname "$0")/sf-common.sh"

integration_user=''
while getopts ':o:i:h' opt; do
    case "$opt" in
        o) SF_ORG_ALIAS="$OPTARG" ;;
        i) integration_user="$OPTARG" ;;
        h) usage; exit 0 ;;
        :) die "option -$OPTARG needs a value" ;;
        *) usage >&2; exit 2 ;;
    esac
done

log "Assigning Statisfy_Admin in $SF_ORG_ALIAS"
sf org assign permset --name Statisfy_Admin --target-org "$SF_ORG_ALIAS"
if [[ -n "$integration_user" ]]; then
    log "Assigning Statisfy_Integration and Statisfy_Integration_Standard to $integration_user"
    sf org assign permset --name Statisfy_Integration --name Statisfy_Integration_Standard \
        --on-behalf-of "$integration_user" --target-org "$SF_ORG_ALIAS"
fi
