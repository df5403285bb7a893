/**
 * Serves the Statisfy web app: the bundle built by `npm run build:web` (companion/web/dist) at `/`, and the
 * Salesforce Lightning Design System's styles and icons at `/assets`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import express from 'express';

/** Repository root (companion/src/web → ../../..). */
const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Where the built web app lives. */
export const WEB_DIST = path.join(ROOT, 'companion', 'web', 'dist');

/** The SLDS assets folder (styles, icons, images). */
export function sldsAssetsDir(): string {
    const pkg = require.resolve('@salesforce-ux/design-system/package.json', { paths: [ROOT] });
    return path.join(path.dirname(pkg), 'assets');
}

/** A router serving the web app and the SLDS assets; answers 503 with a hint when the app is not built. */
export function webAppRouter(dist = WEB_DIST): express.Router {
    const router = express.Router();
    router.use('/assets', express.static(sldsAssetsDir(), { maxAge: '7d', fallthrough: false, index: false }));
    router.get('/', (_req, res, next) => {
        if (fs.existsSync(path.join(dist, 'index.html'))) return next();
        res.status(503)
            .type('text/plain')
            .send('The Statisfy web app is not built yet: run `npm run build:web` (npm start does it for you).\n');
    });
    router.use(express.static(dist, { index: 'index.html', maxAge: 0 }));
    return router;
}
