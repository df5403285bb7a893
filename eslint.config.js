// One ESLint configuration for the whole repository (ESLint 9 flat config).
const tseslint = require('typescript-eslint');
const lwc = require('@lwc/eslint-plugin-lwc');
const babelParser = require('@babel/eslint-parser');

module.exports = [
    {
        ignores: [
            'node_modules/**',
            'coverage/**',
            '.data/**',
            'dist/**',
            '**/dist/**',
            'artifacts/**',
            '.sf/**',
            '.sfdx/**'
        ]
    },
    ...tseslint.configs.recommended.map((config) => ({ ...config, files: ['**/*.ts'] })),
    {
        files: ['**/*.ts'],
        rules: {
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
            '@typescript-eslint/no-explicit-any': 'error'
        }
    },
    {
        files: ['force-app/main/default/lwc/**/*.js', 'companion/web/src/**/*.js'],
        languageOptions: {
            parser: babelParser,
            parserOptions: {
                requireConfigFile: false,
                babelOptions: {
                    parserOpts: { plugins: ['classProperties', ['decorators', { decoratorsBeforeExport: false }]] }
                }
            },
            globals: {
                window: 'readonly',
                document: 'readonly',
                console: 'readonly',
                setTimeout: 'readonly',
                clearTimeout: 'readonly',
                fetch: 'readonly',
                EventSource: 'readonly',
                CustomEvent: 'readonly',
                Event: 'readonly'
            }
        },
        plugins: { '@lwc/lwc': lwc },
        rules: {
            '@lwc/lwc/no-api-reassignments': 'error',
            '@lwc/lwc/no-async-operation': 'off',
            '@lwc/lwc/no-inner-html': 'error',
            '@lwc/lwc/no-document-query': 'error',
            '@lwc/lwc/valid-api': 'error',
            '@lwc/lwc/no-leading-uppercase-api-name': 'error'
        }
    },
    {
        files: ['**/__tests__/**/*.js', 'force-app/test/**/*.js'],
        languageOptions: {
            globals: {
                jest: 'readonly',
                describe: 'readonly',
                it: 'readonly',
                expect: 'readonly',
                beforeEach: 'readonly',
                afterEach: 'readonly',
                beforeAll: 'readonly',
                afterAll: 'readonly',
                require: 'readonly',
                module: 'writable',
                Promise: 'readonly'
            }
        },
        rules: { '@lwc/lwc/no-document-query': 'off' }
    },
    {
        // One data path (issue 8): every SQL statement of the companion lives in companion/src/data. Outside it, no
        // row mapper, no pg client, and no `.query(` on a DataSource, EntityManager or transaction.
        files: ['companion/src/**/*.ts'],
        ignores: ['companion/src/data/**'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        {
                            group: ['**/data/rows', '**/data/rows.ts'],
                            message: 'Row mappers stay inside companion/src/data: call a repository.'
                        }
                    ],
                    paths: [
                        {
                            name: 'pg',
                            message: 'PostgreSQL access stays inside companion/src/data.',
                            allowTypeImports: true
                        }
                    ]
                }
            ],
            'no-restricted-syntax': [
                'error',
                {
                    selector:
                        "CallExpression[callee.property.name='query'][callee.object.name=/^(m|tx|manager|ds|dataSource|client|admin)$/]",
                    message: 'SQL belongs in a repository under companion/src/data.'
                },
                {
                    selector:
                        "CallExpression[callee.property.name='query'][callee.object.property.name=/^(manager|dataSource|client)$/]",
                    message: 'SQL belongs in a repository under companion/src/data.'
                }
            ]
        }
    },
    {
        // Entry points → domain → data: HTTP routes call domain use cases, never repositories (types are fine).
        files: ['companion/src/api/**/*.ts', 'companion/src/web/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        {
                            group: ['**/data/rows', '**/data/rows.ts'],
                            message: 'Row mappers stay inside companion/src/data: call a repository.'
                        },
                        {
                            group: ['**/data', '**/data/index'],
                            importNames: ['createRepositories', 'inTransaction'],
                            allowTypeImports: true,
                            message: 'HTTP routes call domain use cases (companion/src/domain), not repositories.'
                        }
                    ],
                    paths: [
                        {
                            name: 'pg',
                            message: 'PostgreSQL access stays inside companion/src/data.',
                            allowTypeImports: true
                        }
                    ]
                }
            ]
        }
    },
    {
        // The leader lock holds a dedicated pg connection (outside the pool) whose SQL is in data/leader-lock.ts.
        files: ['companion/src/sync/leader.ts'],
        rules: { 'no-restricted-imports': 'off' }
    }
];
