#!/usr/bin/env bash
set -euo pipefail
usage() {
    cat <<'USAGE'
Usage: scripts/package-create.sh unlocked|managed [-v DEVHUB]

Registers the package in the Dev Hub, once per package type:
  unlocked  "Statisfy for Salesforce", no namespace, for development and internal orgs
            (sfdx-project.json)
  managed   "Statisfy for Salesforce (Managed)", namespace statisfy, what customers install
            (config/managed/sfdx-project.json; the namespace must be linked to the Dev Hub first)
The package Id is written to the packageAliases of the matching project file; commit it.

  -v DEVHUB  Dev Hub username or alias (default: $SF_DEVHUB or the default Dev Hub)
  -h         show this help
USAGE
}
source "$(dirname "$0")/sf-common.sh"

[[ $# -ge 1 ]] || { usage >&2; exit 2; }
kind="$1"
shift
[[ "$kind" == -h || "$kind" == --help ]] && { usage; exit 0; }
while getopts ':v:h' opt; do
    case "$opt" in
        v) SF_DEVHUB="$OPTARG" ;;
        h) usage; exit 0 ;;
        :) die "option -$OPTARG needs a value" ;;
        *) usage >&2; exit 2 ;;
    esac
done
mapfile -t hub < <(devhub_args)

case "$kind" in
    unlocked)
        log 'Creating the unlocked package "Statisfy for Salesforce"'
        sf package create --name 'Statisfy for Salesforce' --package-type Unlocked --path force-app \
            --no-namespace --description 'Statisfy for Salesforce, unlocked build for development' "${hub[@]}"
        ;;
    managed)
        source "$(dirname "$0")/package-managed-project.sh"
        use_managed_project
        log 'Creating the managed package "Statisfy for Salesforce (Managed)" (namespace statisfy)'
        sf package create --name 'Statisfy for Salesforce (Managed)' --package-type Managed --path force-app \
            --description 'Two-way sync between Salesforce and Statisfy' "${hub[@]}"
        ;;
    *) usage >&2; die "package type must be unlocked or managed, not $kind" ;;
esac
