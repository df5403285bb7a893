#!/usr/bin/env bash
# Shared by the scripts/*.sh Salesforce scripts (sourced, not run): repository root, the sf CLI on Node 22,
# defaults, logging. The sf CLI is the project's devDependency (@salesforce/cli), run through `npm run sf --`
# because it needs Node 22 while npm scripts run on the system Node 20.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

# Defaults; override with the scripts' options or these environment variables.
SF_ORG_ALIAS="${SF_ORG_ALIAS:-statisfy-dev}"
SF_DEVHUB="${SF_DEVHUB:-}"

export SF_DISABLE_TELEMETRY="${SF_DISABLE_TELEMETRY:-true}"
export SF_AUTOUPDATE_DISABLE="${SF_AUTOUPDATE_DISABLE:-true}"

sf() {
    npm run --silent sf -- "$@"
}

log() {
    printf '\n\033[1m==> %s\033[0m\n' "$*" >&2
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# --target-dev-hub only when one was named; otherwise sf uses the configured default Dev Hub.
devhub_args() {
    if [[ -n "$SF_DEVHUB" ]]; then
        printf '%s\n' --target-dev-hub "$SF_DEVHUB"
    fi
}

require_value() {
    [[ $# -ge 2 && -n "$2" && "$2" != -* ]] || die "option $1 needs a value"
}
