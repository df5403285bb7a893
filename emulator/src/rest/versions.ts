/**
 * API versions: which the org serves (31.0 to 66.0, the same in the `GET /services/data` list),
 * which are retired (7.0–30.0: REST answers 410 GONE, as Salesforce does since Summer '25) and the
 * releases' labels.
 */
import { errorReply, notFound, type Reply } from './reply';

/** The oldest version served. */
export const MIN_VERSION = 31;
/** The newest version served. */
export const MAX_VERSION = 66;
/** The oldest version Salesforce ever had (7.0); 7.0–30.0 are retired. */
const FIRST_VERSION = 7;

/** Salesforce release label for an API version (v60.0 = Spring '24). */
export function releaseLabel(v: number): string {
    const idx = v - 60;
    const season = ['Spring', 'Summer', 'Winter'][((idx % 3) + 3) % 3];
    const year = 24 + Math.floor(idx / 3) + (season === 'Winter' ? 1 : 0);
    return `${season} '${String(year).padStart(2, '0')}`;
}

/** The versions list (`GET /services/data`): exactly the versions {@link versionRefusal} accepts. */
export function versionsList(): Array<{ label: string; url: string; version: string }> {
    const out = [];
    for (let v = MIN_VERSION; v <= MAX_VERSION; v++)
        out.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
    return out;
}

/** The reply for a version the org does not serve (null when `version`, e.g. `60.0`, is served). */
export function versionRefusal(version: string): Reply | null {
    const v = Number(version);
    if (Number.isInteger(v) && v >= MIN_VERSION && v <= MAX_VERSION) return null;
    if (Number.isInteger(v) && v >= FIRST_VERSION && v < MIN_VERSION)
        return errorReply(410, 'GONE', `API version ${version} has been retired and is no longer available.`);
    return notFound();
}
