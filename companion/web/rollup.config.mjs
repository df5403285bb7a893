/**
 * Builds the Statisfy web app into companion/web/dist: the LWC OSS components (light DOM, styled by the global
 * SLDS stylesheet) bundled as dist/app.js, plus the static files of public/. Run `npm run build:web` from the
 * repository root; `npm start` runs it when the sources are newer than the bundle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lwc from '@lwc/rollup-plugin';
import { transform } from 'esbuild';
import resolve from '@rollup/plugin-node-resolve';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');

/** Copies public/ into dist/ once the bundle is written. */
function copyPublic() {
    return {
        name: 'statisfy-copy-public',
        writeBundle() {
            for (const file of fs.readdirSync(path.join(here, 'public'))) {
                fs.copyFileSync(path.join(here, 'public', file), path.join(dist, file));
            }
        }
    };
}

/**
 * Lets the web app import the shared contracts (`import { REASONS } from 'contracts/sync-rules'`): resolves
 * `contracts/<name>` to the repository's `contracts/<name>.ts` and strips its types with esbuild (already a
 * dependency through tsx), so the browser runs the same rules as the companion.
 */
function sharedContracts() {
    const root = path.join(here, '..', '..', 'contracts');
    return {
        name: 'statisfy-shared-contracts',
        resolveId(source) {
            const m = /^contracts\/([\w-]+)$/.exec(source);
            return m ? path.join(root, `${m[1]}.ts`) : null;
        },
        async transform(code, id) {
            if (!id.startsWith(root) || !id.endsWith('.ts')) return null;
            const out = await transform(code, { loader: 'ts', format: 'esm', target: 'es2022' });
            return { code: out.code, map: null };
        }
    };
}

/** Replaces process.env.NODE_ENV so the engine's development checks drop out of the bundle. */
function nodeEnv(value) {
    return {
        name: 'statisfy-node-env',
        transform(code) {
            if (!code.includes('process.env.NODE_ENV')) return null;
            return { code: code.replace(/process\.env\.NODE_ENV/g, JSON.stringify(value)), map: null };
        }
    };
}

export default {
    input: path.join(here, 'src', 'index.js'),
    output: { file: path.join(dist, 'app.js'), format: 'esm', sourcemap: false },
    plugins: [
        nodeEnv(process.env.STATISFY_WEB_ENV || 'production'),
        sharedContracts(),
        resolve(),
        lwc({ rootDir: here }),
        copyPublic()
    ],
    onwarn(warning, warn) {
        if (warning.code === 'CIRCULAR_DEPENDENCY') return;
        warn(warning);
    }
};
