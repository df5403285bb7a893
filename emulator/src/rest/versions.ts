/**
 * API versions: the `GET /services/data` list and the releases' labels.
 */

/** Salesforce release label for an API version (v60.0 = Spring '24). */
export function releaseLabel(v: number): string {
    const idx = v - 60;
    const season = ['Spring', 'Summer', 'Winter'][((idx % 3) + 3) % 3];
    const year = 24 + Math.floor(idx / 3) + (season === 'Winter' ? 1 : 0);
    return `${season} '${String(year).padStart(2, '0')}`;
}

/** The versions list (`GET /services/data`). */
export function versionsList(): Array<{ label: string; url: string; version: string }> {
    const out = [];
    for (let v = 31; v <= 64; v++)
        out.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
    return out;
}
