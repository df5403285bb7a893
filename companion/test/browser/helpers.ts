/**
 * Helpers of the browser suite (web-app.test.ts): axe-core checks, screenshots at both sizes, polling, and the
 * REST and emulator control calls the tests make beside the browser. Nothing here stands in for a real part: the
 * stack, the browser and the HTTP calls are the real ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Where screenshots go (CI keeps them as artefacts). */
export const SHOTS = path.join(ROOT, 'artifacts', 'screenshots');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The two sizes every page is checked at. */
export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Runs axe-core on the page; fails on any serious or critical violation. */
export async function expectAccessible(p: Page, name: string): Promise<void> {
    // Evaluated through the DevTools protocol: the companion's Content-Security-Policy (script-src 'self') stays on
    // for the app, and axe-core is not an inline <script> it would block.
    if (!(await p.evaluate(() => 'axe' in window))) await p.evaluate(AXE);
    const violations = await p.evaluate(async () => {
        const axe = (
            window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: unknown[] }> } }
        ).axe;
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return (result.violations as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[])
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect({ page: name, violations }).toEqual({ page: name, violations: [] });
}

/** Fails when the page scrolls sideways (wider than its viewport), naming the widest elements. */
export async function expectNoSidewaysScroll(p: Page, name: string): Promise<void> {
    const overflow = await p.evaluate(() => {
        const vw = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= vw) return [];
        return Array.from(document.querySelectorAll('body *'))
            .filter((e) => e.getBoundingClientRect().right > vw + 1)
            .slice(0, 5)
            .map((e) => `${e.tagName.toLowerCase()}.${Array.from(e.classList).join('.')}`);
    });
    expect({ page: name, overflow }).toEqual({ page: name, overflow: [] });
}

/**
 * Saves a screenshot as `<name>-<width>.png` (the full page, or only the viewport while a dialog is open, as a
 * person sees it), checks accessibility and that the page does not scroll sideways.
 */
export async function capture(p: Page, name: string): Promise<void> {
    await p.waitForTimeout(200);
    const width = p.viewportSize()?.width ?? 0;
    const dialogOpen = (await p.locator('[aria-modal="true"]').count()) > 0;
    await p.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: !dialogOpen });
    await expectAccessible(p, `${name} at ${width}px`);
    await expectNoSidewaysScroll(p, `${name} at ${width}px`);
}

/** Polls `fn` until it returns a truthy value (or fails after `ms`). */
export async function eventually<T>(fn: () => T | Promise<T>, ms = 15_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + ms;
    let last: unknown;
    while (Date.now() < deadline) {
        try {
            const v = await fn();
            if (v) return v;
        } catch (e) {
            last = e;
        }
        await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** A JSON call with a bearer token; throws on a non-2xx answer. */
export async function jsonCall<T>(url: string, method: string, token: string | null, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json().catch(() => null)) as T;
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
    return json;
}
