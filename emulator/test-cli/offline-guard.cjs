/**
 * Preloaded into every `sf` process the CLI suite starts (`NODE_OPTIONS=--require …`): refuses any
 * outbound connection or DNS lookup that is not to the loopback interface and records it in the file
 * named by `SF_OFFLINE_GUARD_LOG`, so the suite can assert the CLI worked offline against the emulator.
 */
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');

const log = process.env.SF_OFFLINE_GUARD_LOG;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

function refused(what, host) {
    if (log) fs.appendFileSync(log, `${what} ${host} (${process.argv.slice(2, 4).join(' ')})\n`);
    const e = new Error(`offline-guard: ${what} to ${host} refused (the CLI suite runs offline)`);
    e.code = 'ECONNREFUSED';
    return e;
}

function hostOf(args) {
    const a = args[0];
    if (Array.isArray(a)) return hostOf(a);
    if (a && typeof a === 'object') return a.path ? 'localhost' : (a.host ?? 'localhost');
    if (typeof a === 'string' && !/^\d+$/.test(a)) return 'localhost'; // a Unix socket path
    return typeof args[1] === 'string' ? args[1] : 'localhost';
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
    const host = hostOf(args);
    if (!LOOPBACK.has(host)) {
        const err = refused('connect', host);
        process.nextTick(() => this.destroy(err));
        return this;
    }
    return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (host, opts, cb) {
    if (LOOPBACK.has(host)) return lookup.call(this, host, opts, cb);
    const callback = typeof opts === 'function' ? opts : cb;
    const err = refused('lookup', host);
    process.nextTick(() => callback(err));
    return undefined;
};
const plookup = dns.promises.lookup;
dns.promises.lookup = function (host, opts) {
    if (LOOPBACK.has(host)) return plookup.call(this, host, opts);
    return Promise.reject(refused('lookup', host));
};
