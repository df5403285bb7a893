/**
 * The contracts shared by the companion, the emulator and the web app's build (ARCHITECTURE §4: written once,
 * imported everywhere, the Apex checked against them by `force-app/test/checks`). The browser imports the single
 * files it needs (`field-types`, `sync-rules`), which have no dependencies.
 */
export * from './field-types';
export * from './sync-rules';
