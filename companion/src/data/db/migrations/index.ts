/**
 * Every migration, in order. Add new ones at the end (companion-sync adds its own files here too).
 */
import { Initial1764370000000 } from './1764370000000-Initial';
import { ConfigPushState1764370000100 } from './1764370000100-ConfigPushState';
import { ConfigVersions1764370000200 } from './1764370000200-ConfigVersions';
import { ApiCallsDaily1764370000300 } from './1764370000300-ApiCallsDaily';

export const migrations = [
    Initial1764370000000,
    ConfigPushState1764370000100,
    ConfigVersions1764370000200,
    ApiCallsDaily1764370000300
];
