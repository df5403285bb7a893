#!/usr/bin/env bash
set -euo pipefail
usage() {
    cat <<'USAGE'
Usage: scripts/package-version.sh unlocked|managed [-v DEVHUB] [-k INSTALLATION_KEY] [--promote]

Builds a package version of force-app with code coverage (Apex tests run in a build org made from
config/project-scratch-def.json; a version can only be promoted with 75 % coverage or more):
  unlocked  from sfdx-project.json, no namespace
  managed   from config/managed/sfdx-project.json, namespace statisfy, ancestor HIGHEST
Prints the subscriber package version Id (04t…) and the install URL.

  -v DEVHUB            Dev Hub username or alias (default: $SF_DEVHUB or the default Dev Hub)
  -k INSTALLATION_KEY  require this key to install (default: no key)
  --promote            promote the new version to released (managed: customers can install it in production)
  -h                   show this help
USAGE
}
source "$(dirname "$0")/sf-common.sh"

[[ $# -ge 1 ]] || { usage >&2; exit 2; }
kind="$1"
shift
[[ "$kind" == -h || "$kind" == --help ]] && { usage; exit 0; }
key=''
promote=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        -v) require_value "$@"; SF_DEVHUB="$2"; shift 2 ;;
        -k) require_value "$@"; key="$2"; shift 2 ;;
        --promote) promote=true; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option $1" ;;
    esac
done
mapfile -t hub < <(devhub_args)

case "$kind" in
    unlocked) package='Statisfy for Salesforce' ;;
    managed)
        package='Statisfy for Salesforce (Managed)'
        source "$(dirname "$0")/package-managed-project.sh"
        use_managed_project
        ;;
    *) usage >&2; die "package type must be unlocked or managed, not $kind" ;;
esac
if [[ -n "$key" ]]; then
    key_args=(--installation-key "$key")
else
    key_args=(--installation-key-bypass)
fi

log "Creating a version of $package"
result="$(sf package version create --package "$package" --code-coverage --wait 90 --json "${key_args[@]}" "${hub[@]}")"
version_id="$(node -e 'const r = JSON.parse(process.argv[1]); if (r.status !== 0) { console.error(r.message); process.exit(1); } console.log(r.result.SubscriberPackageVersionId)' "$result")"
log "Version $version_id: https://login.salesforce.com/packaging/installPackage.apexp?p0=$version_id"

if [[ "$promote" == true ]]; then
    log "Promoting $version_id"
    sf package version promote --package "$version_id" --no-prompt "${hub[@]}"
fi
