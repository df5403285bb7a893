#!/usr/bin/env bash
# Sourced by the package scripts: swaps config/managed/sfdx-project.json (namespace statisfy) in as the project
# file for the length of the script, as NebulaLogger builds its managed package from the same source. On exit,
# aliases the sf CLI added are kept in config/managed/sfdx-project.json and the unlocked project file is restored.

use_managed_project() {
    [[ -f config/managed/sfdx-project.json ]] || die 'config/managed/sfdx-project.json is missing'
    cp sfdx-project.json .sfdx-project.unlocked.json
    cp config/managed/sfdx-project.json sfdx-project.json
    trap restore_unlocked_project EXIT
}

restore_unlocked_project() {
    if [[ -f .sfdx-project.unlocked.json ]]; then
        cp sfdx-project.json config/managed/sfdx-project.json
        mv .sfdx-project.unlocked.json sfdx-project.json
    fi
}
