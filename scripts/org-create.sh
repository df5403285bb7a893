#!/usr/bin/env bash
set -euo pipefail
usage() {
    cat <<'USAGE'
Usage: scripts/org-create.sh [-o ALIAS] [-v DEVHUB] [-d DAYS]

Creates a scratch org from config/project-scratch-def.json and makes it the project's default org.
Needs a Dev Hub you are logged in to (sf org login web --set-default-dev-hub).

  -o ALIAS   scratch org alias (default: $SF_ORG_ALIAS or statisfy-dev)
  -v DEVHUB  Dev Hub username or alias (default: $SF_DEVHUB or the default Dev Hub)
  -d DAYS    days until the org expires, 1-30 (default: 7)
  -h         show this help
USAGE
}
source "$(dirname "$0")/sf-common.sh"

days=7
while getopts ':o:v:d:h' opt; do
    case "$opt" in
        o) SF_ORG_ALIAS="$OPTARG" ;;
        v) SF_DEVHUB="$OPTARG" ;;
        d) days="$OPTARG" ;;
        h) usage; exit 0 ;;
        :) die "option -$OPTARG needs a value" ;;
        *) usage >&2; exit 2 ;;
    esac
done
[[ "$days" =~ ^[0-9]+$ && "$days" -ge 1 && "$days" -le 30 ]] || die "-d must be a number of days from 1 to 30, not $days"

log "Creating scratch org $SF_ORG_ALIAS ($days days)"
mapfile -t hub < <(devhub_args)
sf org create scratch \
    --definition-file config/project-scratch-def.json \
    --alias "$SF_ORG_ALIAS" \
    --duration-days "$days" \
    --set-default \
    --wait 15 \
    "${hub[@]}"
