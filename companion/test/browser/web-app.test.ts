/**
 * The Statisfy web app in a real browser (Debian chromium driven by playwright-core) against the real stack
 * started in-process the way `npm start` starts it: the org emulator with demo data, embedded PostgreSQL and the
 * companion with its sync engine, connected by the JWT bearer flow.
 *
 * Walks the product guide end to end, edits inline and checks the edit reaches the emulated org, edits on the
 * emulator's Salesforce-side page and watches it arrive live, drives every sync state (pending, failed with the
 * Salesforce message, conflict, synced), uses the keyboard, saves a screenshot of every page under
 * artifacts/screenshots/ and runs axe-core on every page (no serious or critical violation).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildWeb, startDemo, webBuildNeeded, type Demo } from '../../../scripts/start';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SHOTS = path.join(ROOT, 'artifacts', 'screenshots');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let demo: Demo;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dataDir: string;
let database: TestDatabase;
const pageErrors: string[] = [];

/** Runs axe-core on the page; fails on any serious or critical violation. */
async function expectAccessible(p: Page, name: string): Promise<void> {
    await p.addScriptTag({ content: AXE });
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

/** Saves a screenshot and runs the accessibility check. */
async function capture(p: Page, name: string): Promise<void> {
    await p.waitForTimeout(200);
    await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    await expectAccessible(p, name);
}

/** Polls `fn` until it returns a truthy value (or fails after `ms`). */
async function eventually<T>(fn: () => T | Promise<T>, ms = 15_000, what = 'condition'): Promise<T> {
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

/** The REST API as the admin. */
async function apiCall<T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(`${demo.url}/api/v1${p}`, {
        method,
        headers: { Authorization: `Bearer ${demo.adminToken}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
    });
    const json = (await res.json().catch(() => null)) as T;
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
}

/** The emulator's control API. */
async function control(method: string, p: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${demo.emulator!.url}/__emulator${p}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
    });
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`emulator ${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
}

/** A record as the emulated org has it. */
function sfRecord(id: string): Record<string, unknown> {
    return demo.emulator!.org.store.get(id)!.rec;
}

/** The row of a record in the Statisfy record list. */
const row = (p: Page, id: string) => p.locator(`tr[data-id="${id}"]`);

/** Opens a record page and waits for its rows. */
async function openRecords(p: Page, object: string): Promise<void> {
    await p.goto(`${demo.url}/#/records/${object}`);
    await p.locator('s-record-list tbody tr').first().waitFor();
}

beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    if (webBuildNeeded()) await buildWeb();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'statisfy-browser-'));
    database = await createTestDatabase();
    demo = await startDemo({
        port: 0,
        emulatorPort: 0,
        dataDir,
        adminToken: 'sty_browser_test_admin_token_0123',
        logLevel: 'warn',
        cometdTimeoutMs: 1000,
        env: { DATABASE_URL: database.url, SF_LOGIN_URL: '' }
    });
    browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run'
        ]
    });
    context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => {
    expect(pageErrors).toEqual([]);
});

describe('sign in', () => {
    test('refuses a wrong token with a clear message, then signs in with the admin token', async () => {
        await page.goto(`${demo.url}/`);
        await page.getByLabel('API token').waitFor();
        await capture(page, '01-sign-in');
        await page.getByLabel('API token').fill('sty_not_a_real_token_at_all');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('This API token is not valid (unknown or revoked)').waitFor();
        expect(await page.evaluate(() => sessionStorage.getItem('statisfy.apiToken'))).toBeNull();

        await page.getByLabel('API token').fill(demo.adminToken);
        await page.keyboard.press('Enter');
        await page.locator('s-record-list tbody tr').first().waitFor();
        expect(await page.evaluate(() => sessionStorage.getItem('statisfy.apiToken'))).toBe(demo.adminToken);
        await eventually(async () => (await page.locator('[data-id="live-state"]').textContent())?.includes('Live'));
        await capture(page, '02-accounts');
    });

    test('"Connect Salesforce" leads to the OAuth web-server flow route', async () => {
        const other = await context.browser()!.newContext();
        const p = await other.newPage();
        await p.goto(`${demo.url}/`);
        const link = p.getByRole('link', { name: 'Connect Salesforce' });
        expect(await link.getAttribute('href')).toBe('/oauth/salesforce/start');
        await link.click();
        // The demo org uses the JWT flow, so the route says what an OAuth org needs.
        await p.getByRole('heading', { name: 'Connect Salesforce' }).waitFor();
        await p.getByText('SF_AUTH_KIND=oauth').waitFor();
        await other.close();
    });
});

describe('the product guide, step by step', () => {
    test('Settings → Object Manager → Edit → field available in the CRM + display name → Save (Opportunities)', async () => {
        // Step 1-2: Settings, then Object Manager.
        await page.getByRole('link', { name: 'Settings' }).click();
        await page.getByRole('heading', { name: 'Object Manager' }).waitFor();
        const standard = page.locator('#panel-standard');
        for (const label of ['Accounts', 'Opportunities', 'People']) {
            await standard.getByRole('link', { name: label }).waitFor();
        }
        await capture(page, '03-object-manager');

        // Step 7: under Opportunities, both Statisfy fields and Salesforce fields.
        await standard.getByRole('link', { name: 'Opportunities' }).click();
        await page.getByRole('heading', { name: 'Statisfy fields' }).waitFor();
        await page.getByRole('heading', { name: 'Salesforce fields' }).waitFor();
        const amountRow = page.locator('tr[data-key="Opportunity.Amount"]');
        await expect(amountRow.locator('[data-id="push"]').textContent()).resolves.toBe('Pushes to Salesforce');
        const wonRow = page.locator('tr[data-key="Opportunity.IsWon"]');
        if (await wonRow.count()) {
            await expect(wonRow.locator('[data-id="reason"]').textContent()).resolves.toBe('Field is not Editable');
        }
        await capture(page, '04-object-fields-opportunity');

        // Step 3/8: Edit. Steps 4-5: field available in the CRM, display name in Statisfy. Step 6: Save.
        await amountRow.getByRole('button', { name: /^Edit / }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Field available in the CRM').waitFor();
        expect(await dialog.getByLabel('Field available in the CRM').inputValue()).toBe('Amount');
        await dialog.getByLabel('Display name in Statisfy').fill('Deal Amount');
        await capture(page, '05-field-editor');
        await dialog.getByRole('button', { name: 'Save' }).click();
        await amountRow.getByText('Deal Amount').waitFor();
        const fields = await apiCall<{ items: { key: string; displayName: string }[] }>(
            'GET',
            '/objects/Opportunity/fields'
        );
        expect(fields.items.find((f) => f.key === 'Opportunity.Amount')?.displayName).toBe('Deal Amount');

        // A Salesforce field that does not exist is refused with the companion's message, next to the field.
        await amountRow.getByRole('button', { name: /^Edit / }).click();
        await dialog.getByLabel('Field available in the CRM').fill('No_Such_Field__c');
        await dialog.getByRole('button', { name: 'Save' }).click();
        await dialog.getByText('Field No_Such_Field__c does not exist on Opportunity').first().waitFor();
        await page.keyboard.press('Escape');
        await expect(page.getByRole('dialog').count()).resolves.toBe(0);
    });

    test('Step 9: perform the sync — "Sync now" on the Sync page', async () => {
        await page.getByRole('link', { name: 'Sync', exact: true }).click();
        await page.getByRole('heading', { name: 'Connection' }).waitFor();
        await eventually(
            async () => (await page.locator('[data-id="connection-state"]').textContent()) === 'Connected'
        );
        await page.getByRole('button', { name: 'Sync now' }).click();
        await page.getByText('Statisfy is syncing with Salesforce now.').waitFor();
        await capture(page, '06-sync');
    });

    test('Step 10: repeat for People', async () => {
        await page.goto(`${demo.url}/#/settings/object-manager`);
        await page.locator('#panel-standard').getByRole('link', { name: 'People' }).click();
        await page.getByRole('heading', { name: 'Salesforce fields' }).waitFor();
        const titleRow = page.locator('tr[data-key="Contact.Title"]');
        await titleRow.getByRole('button', { name: /^Edit / }).click();
        await page.getByRole('dialog').getByLabel('Display name in Statisfy').fill('Job title');
        await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
        await titleRow.getByText('Job title').waitFor();
        await capture(page, '07-object-fields-people');
    });

    test('Custom objects: Sync to Salesforce with its confirmation, Editable, Salesforce field API name, New field', async () => {
        await page.goto(`${demo.url}/#/settings/object-manager`);
        await page.getByRole('tab', { name: 'Custom Objects' }).click();
        const sync = page.getByLabel('Sync to Salesforce').first();
        expect(await sync.isChecked()).toBe(false);
        await capture(page, '08-object-manager-custom');
        await page.locator('label[for="sync-Success_Plan__c"]').click();
        await page.getByText('Writeback to Salesforce is enabled for Success Plans').waitFor();
        const objects = await apiCall<{ items: { objectApiName: string; syncToSalesforce: boolean }[] }>(
            'GET',
            '/objects'
        );
        expect(objects.items.find((o) => o.objectApiName === 'Success_Plan__c')?.syncToSalesforce).toBe(true);

        await page.locator('#panel-custom').getByRole('link', { name: 'Success Plans' }).click();
        await page.getByRole('heading', { name: 'Statisfy fields' }).waitFor();
        await page.getByRole('button', { name: 'New field' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Field name').fill('Health_Note');
        await dialog.getByLabel('Display name in Statisfy').fill('Health note');
        await dialog.locator('label[for="fe-editable"]').click();
        expect(await dialog.locator('[data-id="preview"]').textContent()).toContain(
            'No Salesforce field API name: the field stays in Statisfy'
        );
        await dialog.getByRole('button', { name: 'Save' }).click();
        const newRow = page.locator('tr[data-key="Success_Plan__c.Health_Note"]');
        await newRow.waitFor();
        expect(await newRow.locator('[data-id="push"]').textContent()).toBe('Stays in Statisfy');
        expect(await newRow.locator('[data-id="reason"]').textContent()).toBe(
            'No Salesforce field API name: the field stays in Statisfy'
        );
        await capture(page, '09-object-fields-custom');
    });
});

describe('records', () => {
    test('search, sort and paging', async () => {
        await openRecords(page, 'Account');
        await page.locator('s-record-list [aria-busy="false"]').waitFor();
        const firstBefore = await page.locator('s-record-list tbody tr').first().getAttribute('data-id');
        await page.getByRole('button', { name: 'Sort by Account Name' }).click();
        await eventually(
            async () => (await page.locator('th[aria-sort="ascending"]').count()) === 1,
            5000,
            'sorted column'
        );
        const names = await page.locator('s-record-list tbody tr td:first-child .slds-truncate').allTextContents();
        const sorted = [...names].sort((a, b) => a.localeCompare(b));
        expect(names.map((n) => n.trim())).toEqual(sorted.map((n) => n.trim()));
        expect(firstBefore).toBeTruthy();

        await page.getByRole('button', { name: 'Next' }).click();
        await page.locator('[data-id="page-label"]', { hasText: 'Page 2' }).waitFor();
        await page.getByRole('button', { name: 'Previous' }).click();
        await page.locator('[data-id="page-label"]', { hasText: 'Page 1' }).waitFor();

        const target = names[3].trim();
        await page.getByLabel('Search Accounts').fill(target);
        await eventually(
            async () =>
                (await page.locator('s-record-list tbody tr').count()) >= 1 &&
                (await page.locator('s-record-list tbody tr').first().textContent())!.includes(target),
            5000,
            'search'
        );
        await page.getByLabel('Search Accounts').fill('');
    });

    test('People and each custom object have their record page', async () => {
        await page.getByRole('link', { name: 'People' }).click();
        await page.getByRole('heading', { name: 'People' }).waitFor();
        await page.locator('s-record-list tbody tr').first().waitFor();
        await capture(page, '02b-people');
        await page.getByRole('link', { name: 'Success Plans' }).click();
        await page.getByRole('heading', { name: 'Success Plans' }).waitFor();
        await page.locator('s-record-list tbody tr').first().waitFor();
        expect(await page.locator('s-record-list tbody tr').count()).toBe(25);
        await capture(page, '02c-success-plans');
    });

    test('inline edit with the keyboard reaches Salesforce (the emulator), and the record shows Synced', async () => {
        await openRecords(page, 'Opportunity');
        const first = page.locator('s-record-list tbody tr').first();
        const id = (await first.getAttribute('data-id'))!;
        const editButton = row(page, id).getByRole('button', { name: /^Edit Deal Amount of / });
        await editButton.focus();
        await page.keyboard.press('Enter');
        const editor = row(page, id).locator('[data-editor]');
        await editor.waitFor();
        await page.keyboard.press('Control+A');
        await page.keyboard.type('424242');
        await capture(page, '10-inline-edit');
        await page.keyboard.press('Enter');
        await page.getByText('Queued for Salesforce: it goes out on the next sync.').waitFor();
        await eventually(() => sfRecord(id).Amount === 424242, 15_000, 'Amount in the emulator');
        await eventually(
            async () => (await row(page, id).locator('[data-state]').getAttribute('data-state')) === 'synced'
        );
        // Focus went back to the cell's edit button.
        expect(await page.evaluate(() => document.activeElement?.getAttribute('data-key'))).toBe('Opportunity.Amount');
    });

    test('Escape cancels an inline edit and changes nothing', async () => {
        const first = page.locator('s-record-list tbody tr').first();
        const id = (await first.getAttribute('data-id'))!;
        const before = sfRecord(id).StageName;
        await row(page, id)
            .getByRole('button', { name: /^Edit Stage of / })
            .click();
        await row(page, id).locator('[data-editor]').waitFor();
        await page.keyboard.press('Escape');
        await expect(row(page, id).locator('[data-editor]').count()).resolves.toBe(0);
        expect(sfRecord(id).StageName).toBe(before);
    });

    test('an edit on the emulator’s Salesforce record page appears live in Statisfy, without a reload', async () => {
        await openRecords(page, 'Account');
        await page.getByRole('button', { name: 'Sort by Account Name' }).click();
        await page.locator('th[aria-sort="ascending"]').waitFor();
        const first = page.locator('s-record-list tbody tr').first();
        const id = (await first.getAttribute('data-id'))!;
        await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

        const sf = await context.newPage();
        await sf.goto(`${demo.emulator!.url}/__emulator/ui/Account/${id}?as=admin@statisfy.test`);
        await sf.getByLabel('Billing City').waitFor();
        await capture(sf, '11-emulator-record-page');
        await sf.getByLabel('Billing City').fill('Reykjavik');
        await sf.getByRole('button', { name: /^Save as / }).click();
        await sf.locator('[data-id="save-message"]').waitFor();
        expect(await sf.locator('[data-id="save-message"]').textContent()).toContain('Billing City');
        expect(sfRecord(id).BillingCity).toBe('Reykjavik');
        await sf.close();

        // First the companion applies the Record_Change__e event, then the open page shows it through SSE.
        await eventually(
            async () =>
                (await apiCall<{ fields: Record<string, unknown> }>('GET', `/objects/Account/records/${id}`)).fields[
                    'Account.BillingCity'
                ] === 'Reykjavik',
            30_000,
            'the change in the companion'
        );
        await row(page, id).getByText('Reykjavik').waitFor({ timeout: 10_000 });
        expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    });

    test('the emulator record page lists records and shows Salesforce errors', async () => {
        const sf = await context.newPage();
        await sf.goto(`${demo.emulator!.url}/__emulator/ui/Opportunity`);
        await sf.getByRole('heading', { name: 'All Opportunities' }).waitFor();
        await capture(sf, '12-emulator-list');

        await control('POST', '/validation-rules', {
            object: 'Account',
            name: 'No_Atlantis',
            message: 'We do not ship to Atlantis',
            errorField: 'BillingCity',
            condition: { field: 'BillingCity', op: '=', value: 'Atlantis' }
        });
        await sf.goto(`${demo.emulator!.url}/__emulator/ui/Account`);
        await sf.locator('tbody tr th a').first().click();
        await sf.getByLabel('Billing City').fill('Atlantis');
        await sf.getByRole('button', { name: /^Save as / }).click();
        await sf
            .getByRole('alert')
            .getByText('FIELD_CUSTOM_VALIDATION_EXCEPTION: We do not ship to Atlantis')
            .waitFor();
        await capture(sf, '12b-emulator-validation-error');
        await sf.close();
    });
});

describe('sync states', () => {
    test('failed with the Salesforce message, then Retry on the Sync page', async () => {
        await control('POST', '/validation-rules', {
            object: 'Opportunity',
            name: 'Amount_Cap',
            message: 'Amount cannot exceed 1,000,000,000 in this org',
            errorField: 'Amount',
            condition: { field: 'Amount', op: '>', value: 1_000_000_000 }
        });
        await openRecords(page, 'Opportunity');
        const id = (await page.locator('s-record-list tbody tr').nth(1).getAttribute('data-id'))!;
        await row(page, id)
            .getByRole('button', { name: /^Edit Deal Amount of / })
            .click();
        const editor = row(page, id).locator('[data-editor]');
        await editor.fill('5000000000');
        await editor.press('Enter');
        await eventually(
            async () => (await row(page, id).locator('[data-state]').getAttribute('data-state')) === 'failed'
        );
        expect(await row(page, id).locator('[data-id="sync-detail"]').textContent()).toContain(
            'Amount cannot exceed 1,000,000,000 in this org'
        );
        await capture(page, '13-records-failed');

        await page.goto(`${demo.url}/#/sync`);
        const failedRow = page.locator('[data-id="failed-edits"] tr', { hasText: 'Amount cannot exceed' }).first();
        await failedRow.waitFor();
        await capture(page, '14-sync-failed-edit');

        // The admin relaxes the rule in Salesforce; Retry sends the edit again and it goes through.
        await control('POST', '/validation-rules', {
            object: 'Opportunity',
            name: 'Amount_Cap',
            message: 'Amount cannot exceed 1,000,000,000,000 in this org',
            errorField: 'Amount',
            condition: { field: 'Amount', op: '>', value: 1_000_000_000_000 }
        });
        await failedRow.getByRole('button', { name: /^Retry / }).click();
        await page.getByText('The edit goes to Salesforce again on the next sync.').waitFor();
        await eventually(() => sfRecord(id).Amount === 5_000_000_000, 15_000, 'retried Amount in the emulator');
    });

    test('pending while Salesforce is unavailable, then a conflict resolved side by side', async () => {
        await apiCall('PATCH', '/objects/Account', { conflictPolicy: 'Manual' });
        await control('POST', '/faults', { path: '/services/data/**', method: 'POST', status: 503 });
        await control('POST', '/faults', { path: '/services/data/**', method: 'PATCH', status: 503 });
        await openRecords(page, 'Account');
        const id = (await page.locator('s-record-list tbody tr').nth(2).getAttribute('data-id'))!;
        await row(page, id)
            .getByRole('button', { name: /^Edit Phone of / })
            .click();
        const editor = row(page, id).locator('[data-editor]');
        await editor.fill('+1 (555) 000-1111');
        await editor.press('Enter');
        await eventually(
            async () => (await row(page, id).locator('[data-state]').getAttribute('data-state')) === 'pending',
            15_000,
            'pending state'
        ).catch(async (error: Error) => {
            // Say what the page showed instead, for the person reading the failure.
            await page.screenshot({ path: path.join(SHOTS, 'debug-pending.png'), fullPage: true });
            const state = await row(page, id).locator('[data-state]').getAttribute('data-state');
            const toasts = await page.locator('s-toasts').textContent();
            const record = await apiCall('GET', `/objects/Account/records/${id}`);
            throw new Error(`${error.message}; row state ${state}; toasts ${toasts}; record ${JSON.stringify(record)}`);
        });
        await capture(page, '15-records-pending');

        // Meanwhile someone changes the same field in Salesforce.
        await control('PATCH', `/records/Account/${id}`, {
            values: { Phone: '+1 (555) 999-2222' },
            as: 'admin@statisfy.test'
        });
        await eventually(
            async () => (await row(page, id).locator('[data-state]').getAttribute('data-state')) === 'conflict',
            20_000,
            'conflict state'
        );
        await control('DELETE', '/faults');
        await capture(page, '16-records-conflict');

        await page.goto(`${demo.url}/#/sync`);
        const card = page.locator('[data-id="conflicts"] li', { hasText: id }).first();
        await card.waitFor();
        expect(await card.locator('[data-id="statisfy-value"]').textContent()).toBe('+1 (555) 000-1111');
        expect(await card.locator('[data-id="salesforce-value"]').textContent()).toBe('+1 (555) 999-2222');
        await capture(page, '17-sync-conflict');
        await card.getByRole('button', { name: /^Keep Statisfy value/ }).click();
        await page.getByText('The Statisfy value was kept.').waitFor();
        await eventually(() => sfRecord(id).Phone === '+1 (555) 000-1111', 40_000, 'resolved value in the emulator');
    });
});
