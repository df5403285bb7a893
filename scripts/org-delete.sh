#!/usr/bin/env bash
set -euo pipefail
usage() {
    cat <<'USAGE'
Usage: scripts/org-delete.sh [-o ALIAS]

Deletes a scratch org without asking.

  -o ALIAS   scratch org alias (default: $SF_ORG_ALIAS or statisfy-dev)
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

log "Deleting scratch org $SF_ORG_ALIAS"
sf org delete scratch --target-org "$SF_ORG_ALIAS" --no-prompt
