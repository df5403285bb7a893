/**
 * One Jest project per suite. `npm test` runs them all; `npx jest --selectProjects <name>` runs one.
 * @type {import('jest').Config}
 */
const fs = require('node:fs');
const { jestConfig: lwcPreset } = require('@salesforce/sfdx-lwc-jest/config');

const swc = {
    '^.+\\.ts$': [
        '@swc/jest',
        {
            jsc: {
                target: 'es2022',
                parser: { syntax: 'typescript', decorators: true },
                transform: { legacyDecorator: true, decoratorMetadata: true }
            },
            module: { type: 'commonjs' }
        }
    ]
};

const node = (name, roots, extra = {}) => ({
    displayName: name,
    testEnvironment: 'node',
    transform: swc,
    moduleFileExtensions: ['ts', 'js', 'json'],
    roots,
    testMatch: ['**/*.test.ts'],
    ...extra
});

/** A suite whose folder does not exist yet has nothing to run: leave it out rather than fail every suite. */
const exists = (project) => project.roots.every((root) => fs.existsSync(root.replace('<rootDir>', __dirname)));

module.exports = {
    projects: [
        node('emulator', ['<rootDir>/emulator'], { testPathIgnorePatterns: ['/node_modules/', '/emulator/test-cli/'] }),
        // The project's sf CLI (Node 22) against the emulator; one emulator and one CLI home per file.
        node('cli', ['<rootDir>/emulator/test-cli']),
        node('companion', ['<rootDir>/companion'], {
            testPathIgnorePatterns: ['/node_modules/', '/companion/test/browser/'],
            // One embedded PostgreSQL per run; each test file creates its own database (companion/test/support).
            globalSetup: '<rootDir>/companion/test/support/global-setup.ts',
            globalTeardown: '<rootDir>/companion/test/support/global-teardown.ts'
        }),
        node('package', ['<rootDir>/force-app/test/checks']),
        node('browser', ['<rootDir>/companion/test/browser'], {
            // The real stack in-process; PostgreSQL comes from the same per-run embedded cluster as the companion suite.
            globalSetup: '<rootDir>/companion/test/support/global-setup.ts',
            globalTeardown: '<rootDir>/companion/test/support/global-teardown.ts'
        }),
        {
            ...lwcPreset,
            displayName: 'lwc',
            rootDir: __dirname,
            roots: ['<rootDir>/force-app/main/default/lwc'],
            testMatch: ['**/__tests__/**/*.test.js'],
            moduleNameMapper: {
                // The root `lwc` dependency (v9) hoists ESM-only @lwc/* builds that Jest cannot require;
                // point the engine, synthetic shadow and wire service at their CommonJS bundles.
                '^lwc$': '<rootDir>/node_modules/@lwc/engine-dom/dist/index.cjs',
                '^@lwc/engine-dom$': '<rootDir>/node_modules/@lwc/engine-dom/dist/index.cjs',
                '^@lwc/synthetic-shadow$': '<rootDir>/node_modules/@lwc/synthetic-shadow/dist/index.cjs',
                '^@lwc/wire-service$': '<rootDir>/node_modules/@lwc/wire-service/dist/index.cjs',
                '^lightning/navigation$': '<rootDir>/force-app/test/jest-mocks/lightning/navigation',
                '^lightning/platformShowToastEvent$':
                    '<rootDir>/force-app/test/jest-mocks/lightning/platformShowToastEvent',
                '^lightning/uiRecordApi$': '<rootDir>/force-app/test/jest-mocks/lightning/uiRecordApi',
                '^lightning/empApi$': '<rootDir>/force-app/test/jest-mocks/lightning/empApi'
            },
            setupFilesAfterEnv: [...lwcPreset.setupFilesAfterEnv, '<rootDir>/force-app/test/jest-setup.js']
        }
    ].filter(exists)
};
