/**
 * The Statisfy web app in a real browser (Debian chromium driven by playwright-core) against the real stack
 * started in-process the way `npm start` starts it: the org emulator with demo data, embedded PostgreSQL and the
 * companion with its sync engine, connected by the JWT bearer flow.
 *
 * Walks the product guide end to end at 1440×900, and every page and dialog again at 390×844 (a phone): no
 * sideways scrolling, navigation in a menu, tables as stacked cards. Covers the record pages (column chooser
 * remembered per user, the record page with both sides' values, type-fitted editors that refuse bad values before
 * any request), the Object Manager (describe checks before Save, each error once, every rule that keeps a field
 * back, the conflict policy, the Sync to Salesforce switch), the Sync page (failed edits by record name with
 * Retry / Keep the Salesforce value / Discard, conflicts side by side, the retry schedule), and true loading, error
 * and not-found states. Saves a screenshot of every page and dialog at both sizes under artifacts/screenshots/
 * (`<name>-<width>.png`) and runs axe-core on each (no serious or critical violation).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildWeb, startDemo, stopMessage, webBuildMessage, webBuildNeeded, type Demo } from '../../../scripts/start';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { capture, DESKTOP, eventually, jsonCall, PHONE, SHOTS } from './helpers';

jest.setTimeout(180_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let demo: Demo;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let phoneContext: BrowserContext;
let phone: Page;
let dataDir: string;
let database: TestDatabase;
const pageErrors: string[] = [];
/** API answers of 429 or 5xx the pages got (printed with a failing test, to say what the page was told). */
const apiTrouble: string[] = [];

/** The REST API as the admin. */
const apiCall = <T = Record<string, unknown>>(method: string, p: string, body?: unknown) =>
    jsonCall<T>(`${demo.url}/api/v1${p}`, method, demo.adminToken, body);

/** The emulator's control API. */
const control = (method: string, p: string, body?: unknown) =>
    jsonCall<unknown>(`${demo.emulator!.url}/__emulator${p}`, method, null, body);

/** A record as the emulated org has it. */
function sfRecord(id: string): Record<string, unknown> {
    return demo.emulator!.org.store.get(id)!.rec;
}

/** The row of a record in the Statisfy record list. */
const row = (p: Page, id: string) => p.locator(`tr[data-id="${id}"]`);

/** Opens a record list and waits for its rows. */
async function openRecords(p: Page, object: string): Promise<void> {
    await p.goto(`${demo.url}/#/records/${object}`);
    await p.locator('s-record-list tbody tr').first().waitFor();
}

/** Opens `hash` on the phone, waits for `ready`, and captures it at 390 px. */
async function onPhone(name: string, hash: string, ready: (p: Page) => Promise<unknown>): Promise<void> {
    // A fresh load each time (a hash-only change would keep what the phone loaded before).
    await phone.goto('about:blank');
    await phone.goto(`${demo.url}/${hash}`);
    await ready(phone);
    await capture(phone, name);
}

/** Counts the API requests of `method` to paths matching `pattern` while `fn` runs. */
async function countRequests(p: Page, method: string, pattern: RegExp, fn: () => Promise<void>): Promise<number> {
    let n = 0;
    const listener = (r: { method(): string; url(): string }) => {
        if (r.method() === method && pattern.test(r.url())) n++;
    };
    p.on('request', listener);
    try {
        await fn();
        await p.waitForTimeout(300);
    } finally {
        p.off('request', listener);
    }
    return n;
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
    context = await browser.newContext({ viewport: DESKTOP });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const watch = (r: { status(): number; url(): string }) => {
        if (r.url().includes('/api/') && (r.status() === 429 || r.status() >= 500))
            apiTrouble.push(`${r.status()} ${r.url()}`);
    };
    page.on('response', watch);
    // The phone is signed in as the same admin from the start (its sign-in page is captured in its own context).
    phoneContext = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    phoneContext.setDefaultTimeout(10_000);
    await phoneContext.addInitScript((token) => {
        // about:blank (between two loads) has no storage.
        if (location.protocol.startsWith('http')) sessionStorage.setItem('statisfy.apiToken', token);
    }, demo.adminToken);
    phone = await phoneContext.newPage();
    phone.on('pageerror', (e) => pageErrors.push(`phone: ${e.message}`));
    phone.on('response', watch);
});

afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => {
    if (apiTrouble.length) console.warn(`API trouble seen by the pages:\n${apiTrouble.splice(0).join('\n')}`);
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
        await onPhone('02-accounts', '#/records/Account', (p) => p.locator('s-record-list tbody tr').first().waitFor());
    });

    test('"Connect Salesforce" leads to the OAuth web-server flow route (sign-in page on a phone)', async () => {
        const other = await browser.newContext({ viewport: PHONE, isMobile: true });
        const p = await other.newPage();
        await p.goto(`${demo.url}/`);
        await p.getByLabel('API token').waitFor();
        await capture(p, '01-sign-in');
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
        // Sync to Salesforce is the same switch for standard objects as for custom ones.
        expect(await standard.getByRole('checkbox', { name: 'Sync to Salesforce for Opportunities' }).isChecked()).toBe(
            true
        );
        await capture(page, '03-object-manager');
        await onPhone('03-object-manager', '#/settings/object-manager', (p) =>
            p.locator('#panel-standard').getByRole('link', { name: 'Accounts' }).waitFor()
        );

        // Step 7: under Opportunities, both Statisfy fields and Salesforce fields, by display name.
        await standard.getByRole('link', { name: 'Opportunities' }).click();
        await page.getByRole('heading', { name: 'Statisfy fields' }).waitFor();
        await page.getByRole('heading', { name: 'Salesforce fields' }).waitFor();
        const names = await page.locator('[data-section="salesforce"] tbody th').allTextContents();
        expect(names.map((n) => n.trim())).toEqual([...names.map((n) => n.trim())].sort((a, b) => a.localeCompare(b)));
        const amountRow = page.locator('tr[data-key="Opportunity.Amount"]');
        await expect(amountRow.locator('[data-id="push"]').textContent()).resolves.toBe('Pushes to Salesforce');
        const wonRow = page.locator('tr[data-key="Opportunity.IsWon"]');
        expect(await wonRow.locator('[data-id="reason"]').allTextContents()).toEqual(['Field is not Editable']);
        expect(await wonRow.locator('td[data-label="Type"]').textContent()).toBe('Checkbox');
        await capture(page, '04-object-fields-opportunity');
        await onPhone('04-object-fields-opportunity', '#/settings/object-manager/Opportunity', (p) =>
            p.getByRole('heading', { name: 'Salesforce fields' }).waitFor()
        );

        // Step 3/8: Edit. Steps 4-5: field available in the CRM (a searchable picker), display name. Step 6: Save.
        await amountRow.getByRole('button', { name: /^Edit / }).click();
        const dialog = page.getByRole('dialog');
        const crm = dialog.getByRole('combobox', { name: /Field available in the CRM/ });
        await crm.waitFor();
        expect(await crm.inputValue()).toBe('Amount (Amount)');
        expect(await dialog.getByLabel('Display name in Statisfy').getAttribute('maxlength')).toBe('255');
        await crm.fill('close');
        const option = dialog.getByRole('option', { name: /Close Date/ });
        await option.waitFor();
        expect(await option.textContent()).toContain('CloseDate · date');
        await crm.fill('No_Such_Field__c');
        await dialog.getByText('No Salesforce field matches').waitFor();
        await page.keyboard.press('Tab');
        // Only fields the org has can be chosen: the picker goes back to the current one.
        expect(await crm.inputValue()).toBe('Amount (Amount)');
        await dialog.getByLabel('Display name in Statisfy').fill('Deal Amount');
        await capture(page, '05-field-editor');
        await dialog.getByRole('button', { name: 'Save' }).click();
        await amountRow.getByText('Deal Amount').waitFor();
        const fields = await apiCall<{ items: { key: string; displayName: string }[] }>(
            'GET',
            '/objects/Opportunity/fields'
        );
        expect(fields.items.find((f) => f.key === 'Opportunity.Amount')?.displayName).toBe('Deal Amount');

        // A read-only CRM field is flagged from describe before Save, once, in place; Save sends nothing.
        await wonRow.getByRole('button', { name: /^Edit / }).click();
        await dialog.locator('label[for="fe-editable"]').click();
        const message = 'Field IsWon is not updateable in Salesforce, so it cannot be Editable';
        await dialog.getByText(message).waitFor();
        expect(await dialog.locator('[data-id="preview"]').textContent()).not.toContain('push to Salesforce');
        const patches = await countRequests(page, 'PATCH', /\/fields\//, () =>
            dialog.getByRole('button', { name: 'Save' }).click()
        );
        expect(patches).toBe(0);
        expect(await dialog.getByText(message).count()).toBe(1);
        await capture(page, '05b-field-editor-read-only');
        await dialog.getByRole('button', { name: 'Close' }).click();
        await expect(page.getByRole('dialog').count()).resolves.toBe(0);

        // The same dialog on a phone: dimmed backdrop, close button, nothing sideways.
        await onPhone('05-field-editor', '#/settings/object-manager/Opportunity', async (p) => {
            await p
                .locator('tr[data-key="Opportunity.Amount"]')
                .getByRole('button', { name: /^Edit / })
                .click();
            await p.getByRole('dialog').getByRole('button', { name: 'Close' }).waitFor();
            expect(await p.locator('.slds-backdrop_open').count()).toBe(1);
        });
        await phone.keyboard.press('Escape');
    });

    test('Step 9: perform the sync — "Sync now" on the Sync page, with the retry schedule', async () => {
        await page.getByRole('link', { name: 'Sync', exact: true }).click();
        await page.getByRole('heading', { name: 'Connection' }).waitFor();
        await eventually(
            async () => (await page.locator('[data-id="connection-state"]').textContent()) === 'Connected'
        );
        await page.getByRole('button', { name: 'Sync now' }).click();
        await page.getByText('Statisfy is syncing with Salesforce now.').waitFor();
        // The toast sits in the page's flow, above the content, not over it.
        const toast = page.locator('s-toasts .slds-notify_toast').first();
        const header = await page.locator('.slds-page-header').first().boundingBox();
        expect((await toast.boundingBox())!.y + (await toast.boundingBox())!.height).toBeLessThanOrEqual(header!.y);
        const schedule = page.locator('[data-id="retry-schedule"]');
        expect(await schedule.locator('tbody tr').count()).toBe(8);
        expect(await schedule.textContent()).toContain('up to 1 min');
        await capture(page, '06-sync');
        await onPhone('06-sync', '#/sync', (p) => p.getByRole('heading', { name: 'Retry schedule' }).waitFor());
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
        await onPhone('07-object-fields-people', '#/settings/object-manager/Contact', (p) =>
            p.locator('tr[data-key="Contact.Title"]').getByText('Job title').waitFor()
        );
    });

    test('Custom objects: every rule shown, Sync to Salesforce with its confirmation, conflict policy, New field', async () => {
        // Before anything is switched: every rule that keeps a field back, not only the first.
        await page.goto(`${demo.url}/#/settings/object-manager/Success_Plan__c`);
        const account = page.locator('tr[data-key="Success_Plan__c.Account__c"]');
        await account.waitFor();
        expect(await account.locator('[data-id="reason"]').allTextContents()).toEqual([
            'Sync to Salesforce is off for this object',
            'Field is not Editable'
        ]);
        // As a new customer has it: the text fields are Editable, only Sync to Salesforce is off.
        expect(
            await page.locator('tr[data-key="Success_Plan__c.Goal__c"] [data-id="reason"]').allTextContents()
        ).toEqual(['Sync to Salesforce is off for this object']);

        await page.goto(`${demo.url}/#/settings/object-manager`);
        await page.getByRole('tab', { name: 'Custom Objects' }).click();
        const sync = page.getByRole('checkbox', { name: 'Sync to Salesforce for Success Plans' });
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
        // The object's page shows the same switch, now on.
        expect(await page.getByRole('checkbox', { name: 'Sync to Salesforce for Success Plans' }).isChecked()).toBe(
            true
        );
        // The conflict policy is set here, with what it means.
        await page.getByLabel('Conflict policy').selectOption('Manual');
        await page.getByText('Conflict policy: Manual').waitFor();
        expect(await page.locator('[data-id="policy-help"]').textContent()).toContain(
            'nothing is written until a person picks a value on the Sync page'
        );
        const plan = await apiCall<{ items: { objectApiName: string; conflictPolicy: string }[] }>('GET', '/objects');
        expect(plan.items.find((o) => o.objectApiName === 'Success_Plan__c')?.conflictPolicy).toBe('Manual');

        await page.getByRole('button', { name: 'New field' }).click();
        const dialog = page.getByRole('dialog');
        // Types are listed by their Salesforce labels, and a chosen Salesforce field sets the type.
        const typeOptions = await dialog.getByLabel('Type').locator('option').allTextContents();
        expect(typeOptions.map((t) => t.trim())).toEqual(expect.arrayContaining(['Checkbox', 'Date/Time', 'Picklist']));
        const picker = dialog.getByRole('combobox', { name: /Salesforce field API name/ });
        await picker.fill('Health');
        await dialog.getByRole('option', { name: /Health Score/ }).click();
        expect(await dialog.getByLabel('Type').inputValue()).toBe('number');
        await capture(page, '09b-new-field');
        await onPhone('09b-new-field', '#/settings/object-manager/Success_Plan__c', async (p) => {
            await p.getByRole('button', { name: 'New field' }).click();
            await p.getByRole('dialog').getByLabel('Display name in Statisfy').waitFor();
        });
        await phone.keyboard.press('Escape');
        await picker.fill('');
        await page.keyboard.press('Tab');
        expect(await picker.inputValue()).toBe('');
        await dialog.getByLabel('Field name').fill('Health_Note');
        await dialog.getByLabel('Display name in Statisfy').fill('Health note');
        await dialog.getByLabel('Type').selectOption('text');
        await dialog.locator('label[for="fe-editable"]').click();
        expect(await dialog.locator('[data-id="preview"]').textContent()).toContain(
            'No Salesforce field API name: the field stays in Statisfy'
        );
        await dialog.getByRole('button', { name: 'Save' }).click();
        const newRow = page.locator('tr[data-key="Success_Plan__c.Health_Note"]');
        await newRow.waitFor();
        expect(await newRow.locator('[data-id="push"]').textContent()).toBe('Stays in Statisfy');
        expect(await newRow.locator('[data-id="reason"]').allTextContents()).toEqual([
            'No Salesforce field API name: the field stays in Statisfy'
        ]);
        await capture(page, '09-object-fields-custom');
        await onPhone('09-object-fields-custom', '#/settings/object-manager/Success_Plan__c', (p) =>
            p.locator('tr[data-key="Success_Plan__c.Health_Note"]').waitFor()
        );
        await onPhone('08-object-manager-custom', '#/settings/object-manager', async (p) => {
            await p.getByRole('tab', { name: 'Custom Objects' }).click();
            await p.locator('#panel-custom').getByRole('link', { name: 'Success Plans' }).waitFor();
        });
    });
});

describe('records', () => {
    test('search, sort and paging', async () => {
        await openRecords(page, 'Account');
        await page.locator('s-record-list [aria-busy="false"]').waitFor();
        await page.getByRole('button', { name: 'Sort by Account Name' }).click();
        await eventually(
            async () => (await page.locator('th[aria-sort="ascending"]').count()) === 1,
            5000,
            'sorted column'
        );
        const names = await page.locator('s-record-list tbody tr td:first-child .slds-truncate').allTextContents();
        const sorted = [...names].sort((a, b) => a.localeCompare(b));
        expect(names.map((n) => n.trim())).toEqual(sorted.map((n) => n.trim()));

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

    test('People and each custom object have their list; on a phone the rows are stacked cards', async () => {
        await page.getByRole('link', { name: 'People' }).click();
        await page.getByRole('heading', { name: 'People' }).waitFor();
        await page.locator('s-record-list tbody tr').first().waitFor();
        await capture(page, '02b-people');
        await page.getByRole('link', { name: 'Success Plans' }).click();
        await page.getByRole('heading', { name: 'Success Plans' }).waitFor();
        await page.locator('s-record-list tbody tr').first().waitFor();
        expect(await page.locator('s-record-list tbody tr').count()).toBe(25);
        await capture(page, '02c-success-plans');

        await onPhone('02b-people', '#/records/Contact', (p) => p.locator('s-record-list tbody tr').first().waitFor());
        // Stacked: the header row is hidden, each cell is labelled by its column.
        const headerBox = await phone.locator('s-record-list thead').boundingBox();
        expect(headerBox!.width).toBeLessThanOrEqual(1);
        const cell = phone.locator('s-record-list tbody tr').first().locator('td').nth(1);
        expect(await cell.evaluate((el) => getComputedStyle(el, '::before').content)).toContain('Last Name');
        // Navigation is a menu on a phone.
        expect(await phone.locator('.statisfy-tabs').isVisible()).toBe(false);
        await phone.getByRole('button', { name: 'Menu' }).click();
        await phone
            .getByRole('navigation', { name: 'Statisfy menu' })
            .getByRole('link', { name: 'Success Plans' })
            .click();
        await phone.getByRole('heading', { name: 'Success Plans' }).waitFor();
        await phone.locator('s-record-list tbody tr').first().waitFor();
        await capture(phone, '02c-success-plans');
    });

    test('columns: Stage stays after two Statisfy fields are added; the chooser reaches every field, per user', async () => {
        for (const n of ['Renewal_Risk', 'Champion']) {
            await apiCall('POST', '/objects/Opportunity/fields', {
                key: n,
                displayName: n.replace('_', ' '),
                type: 'text',
                editable: true
            });
        }
        await openRecords(page, 'Opportunity');
        const headers = async (p: Page) =>
            (await p.locator('s-record-list thead th').allTextContents()).map((t) => t.trim());
        expect((await headers(page))[0]).toBe('Opportunity Name');
        expect(await headers(page)).toContain('Stage');

        await page.getByRole('button', { name: 'Columns' }).click();
        const chooser = page.getByRole('dialog', { name: 'Columns of Opportunities' });
        await chooser.waitFor();
        // Every mapped field is listed (by display name); the name is always shown.
        const fields = await apiCall<{ items: { displayName: string; type: string }[] }>(
            'GET',
            '/objects/Opportunity/fields'
        );
        expect(await chooser.getByRole('checkbox').count()).toBe(fields.items.length);
        expect(await chooser.getByRole('checkbox', { name: /Opportunity Name/ }).isDisabled()).toBe(true);
        await chooser.locator('label', { hasText: 'Champion' }).click();
        await chooser.locator('label', { hasText: 'Won' }).click();
        await capture(page, '18-column-chooser');
        await chooser.getByRole('button', { name: 'Apply' }).click();
        expect(await headers(page)).toEqual(expect.arrayContaining(['Champion', 'Won', 'Stage']));

        // Remembered for this user after a reload...
        await page.reload();
        await page.locator('s-record-list tbody tr').first().waitFor();
        expect(await headers(page)).toEqual(expect.arrayContaining(['Champion', 'Won']));
        // ...but not for someone else signed in with another token.
        const viewer = await apiCall<{ token: string }>('POST', '/tokens', { name: 'viewer', role: 'viewer' });
        const other = await browser.newContext({ viewport: DESKTOP });
        await other.addInitScript((t) => sessionStorage.setItem('statisfy.apiToken', t), viewer.token);
        const p = await other.newPage();
        await openRecords(p, 'Opportunity');
        expect(await headers(p)).not.toContain('Champion');
        await other.close();

        await onPhone('18-column-chooser', '#/records/Opportunity', async (ph) => {
            await ph.getByRole('button', { name: 'Columns' }).click();
            await ph.getByRole('dialog', { name: 'Columns of Opportunities' }).waitFor();
        });
        await phone.getByRole('button', { name: 'Reset to default' }).click();
        await page.getByRole('button', { name: 'Columns' }).click();
        await page.getByRole('button', { name: 'Reset to default' }).click();
        expect(await headers(page)).not.toContain('Champion');
    });

    test('record page: every mapped field, editors that fit the type, bad values refused before any request', async () => {
        await openRecords(page, 'Opportunity');
        const first = page.locator('s-record-list tbody tr').first();
        const id = (await first.getAttribute('data-id'))!;
        await first.locator('[data-id="open-record"]').click();
        await page.locator('[data-id="record-title"]').waitFor();
        const fields = await apiCall<{ items: { key: string }[] }>('GET', '/objects/Opportunity/fields');
        expect(await page.locator('[data-field]').count()).toBe(fields.items.length);
        // A lookup is shown by the name of the record it points to, linked to its page.
        const account = page.locator('[data-field="Opportunity.AccountId"] a[data-id="value"]');
        expect(await account.getAttribute('href')).toMatch(/^#\/records\/Account\/001/);
        // Every rule: a Statisfy field without a Salesforce field says why it stays.
        expect(
            await page.locator('[data-field="Opportunity.Champion"] [data-id="field-push"]').textContent()
        ).toContain('No Salesforce field API name');

        const field = (key: string) => page.locator(`[data-field="Opportunity.${key}"]`);
        const patches = await countRequests(page, 'PATCH', /\/records\//, async () => {
            // A number with more decimals than the field's scale.
            await field('Amount').getByRole('button', { name: 'Edit Deal Amount' }).click();
            await field('Amount').locator('input').fill('12.345');
            await field('Amount').locator('input').press('Enter');
            await field('Amount').getByText('Deal Amount takes at most 2 decimal places').waitFor();
            expect(await field('Amount').locator('[data-id="editor-error"]').count()).toBe(1);
            await field('Amount').getByRole('button', { name: 'Cancel' }).click();
            // A required field left empty, and a text longer than the field.
            await field('Name').getByRole('button', { name: 'Edit Opportunity Name' }).click();
            const name = field('Name').locator('input');
            expect(await name.getAttribute('maxlength')).toBe('120');
            await name.fill('');
            await name.press('Enter');
            await field('Name').getByText('Opportunity Name is required in Salesforce: enter a value').waitFor();
            await capture(page, '10b-record-page-invalid');
            await field('Name').getByRole('button', { name: 'Cancel' }).click();
        });
        expect(patches).toBe(0);

        // A picklist offers the org's describe values; Save sends it and it reaches Salesforce.
        await field('StageName').getByRole('button', { name: 'Edit Stage' }).click();
        const stage = field('StageName').locator('select');
        const options = (await stage.locator('option').allTextContents()).map((o) => o.trim());
        expect(options).toEqual(expect.arrayContaining(['--None--', 'Prospecting', 'Closed Won', 'Closed Lost']));
        await stage.selectOption('Closed Won');
        await field('StageName').getByRole('button', { name: 'Save' }).click();
        await page.getByText('Queued for Salesforce: it goes out on the next sync.').waitFor();
        await eventually(() => sfRecord(id).StageName === 'Closed Won', 15_000, 'StageName in the emulator');
        // A date field gets a date input.
        await field('CloseDate').getByRole('button', { name: 'Edit Close Date' }).click();
        expect(await field('CloseDate').locator('input').getAttribute('type')).toBe('date');
        await field('CloseDate').getByRole('button', { name: 'Cancel' }).click();
        await capture(page, '10-record-page');

        await onPhone('10-record-page', `#/records/Opportunity/${id}`, (p) =>
            p.locator('[data-field="Opportunity.StageName"]').waitFor()
        );
        await phone
            .locator('[data-field="Opportunity.Probability"]')
            .getByRole('button', { name: 'Edit Probability' })
            .click();
        await phone.locator('[data-field="Opportunity.Probability"] input').fill('33.5');
        await phone.locator('[data-field="Opportunity.Probability"]').getByRole('button', { name: 'Save' }).click();
        await phone.getByText('Probability must be a whole number').waitFor();
        await capture(phone, '10b-record-page-invalid');
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
            async () => (await row(page, id).locator('[data-state]').getAttribute('data-state')) === 'synced',
            30_000,
            'the row shown as Synced'
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

    test('an edit on the emulator’s Salesforce record page appears live on the Statisfy record page, without a reload', async () => {
        await openRecords(page, 'Account');
        await page.getByRole('button', { name: 'Sort by Account Name' }).click();
        await page.locator('th[aria-sort="ascending"]').waitFor();
        const first = page.locator('s-record-list tbody tr').first();
        const id = (await first.getAttribute('data-id'))!;
        // Billing City is not a default column: watch the record's own page.
        await first.locator('[data-id="open-record"]').click();
        await page.locator('[data-field="Account.BillingCity"]').waitFor();
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
        await page
            .locator('[data-field="Account.BillingCity"] [data-id="value"]', { hasText: 'Reykjavik' })
            .waitFor({ timeout: 10_000 });
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
    test('failed with the Salesforce message, by record name, then Retry on the Sync page', async () => {
        await control('POST', '/validation-rules', {
            object: 'Opportunity',
            name: 'Amount_Cap',
            message: 'Amount cannot exceed 1,000,000,000 in this org',
            errorField: 'Amount',
            condition: { field: 'Amount', op: '>', value: 1_000_000_000 }
        });
        await openRecords(page, 'Opportunity');
        const id = (await page.locator('s-record-list tbody tr').nth(1).getAttribute('data-id'))!;
        const name = (await row(page, id).locator('[data-id="open-record"]').textContent())!.trim();
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
        await onPhone('13-records-failed', '#/records/Opportunity', (p) =>
            p.locator(`tr[data-id="${id}"] [data-state="failed"]`).waitFor()
        );

        await page.goto(`${demo.url}/#/sync`);
        const failed = page.locator(`[data-id="failed-edits"] li[data-record="${id}"]`);
        await failed.waitFor();
        expect(await failed.locator('[data-id="record-link"]').textContent()).toBe(name);
        expect(await failed.locator('[data-id="salesforce-message"]').textContent()).toContain(
            'Amount cannot exceed 1,000,000,000 in this org'
        );
        await capture(page, '14-sync-failed-edit');
        await onPhone('14-sync-failed-edit', '#/sync', (p) =>
            p.locator(`[data-id="failed-edits"] li[data-record="${id}"]`).waitFor()
        );

        // The admin relaxes the rule in Salesforce; Retry sends the edit again and it goes through.
        await control('POST', '/validation-rules', {
            object: 'Opportunity',
            name: 'Amount_Cap',
            message: 'Amount cannot exceed 1,000,000,000,000 in this org',
            errorField: 'Amount',
            condition: { field: 'Amount', op: '>', value: 1_000_000_000_000 }
        });
        await failed.getByRole('button', { name: /^Retry / }).click();
        await page.getByText('The edit goes to Salesforce again on the next sync.').waitFor();
        await eventually(() => sfRecord(id).Amount === 5_000_000_000, 15_000, 'retried Amount in the emulator');
    });

    test('a failed edit: "Keep the Salesforce value" puts it back; "Discard" keeps it in Statisfy only', async () => {
        await control('POST', '/validation-rules', {
            object: 'Opportunity',
            name: 'Probability_Cap',
            message: 'Probability above 95 needs a signed order',
            errorField: 'Probability',
            condition: { field: 'Probability', op: '>', value: 95 }
        });
        const list = await apiCall<{ items: { id: string; fields: Record<string, unknown> }[] }>(
            'GET',
            '/objects/Opportunity/records?limit=6'
        );
        const [keep, discard] = list.items.slice(4, 6);
        for (const r of [keep, discard]) {
            await apiCall('PATCH', `/objects/Opportunity/records/${r.id}`, {
                fields: { 'Opportunity.Probability': 99 }
            });
        }
        await page.goto(`${demo.url}/#/sync`);
        const card = (id: string) => page.locator(`[data-id="failed-edits"] li[data-record="${id}"]`);
        await card(keep.id).waitFor({ timeout: 20_000 });
        await card(discard.id).waitFor({ timeout: 20_000 });
        expect(await card(keep.id).locator('[data-id="edit-salesforce-value"]').textContent()).toBe(
            `${keep.fields['Opportunity.Probability']}%`
        );

        await card(keep.id)
            .getByRole('button', { name: /^Keep the Salesforce value/ })
            .click();
        await page.getByText('Statisfy shows the Salesforce value again; the edit is dropped.').waitFor();
        await card(keep.id).waitFor({ state: 'detached' });
        const kept = await apiCall<{ fields: Record<string, unknown> }>(
            'GET',
            `/objects/Opportunity/records/${keep.id}`
        );
        expect(kept.fields['Opportunity.Probability']).toBe(keep.fields['Opportunity.Probability']);

        await card(discard.id)
            .getByRole('button', { name: /^Discard/ })
            .click();
        await page.getByText('The edit will not be sent; the value stays in Statisfy only.').waitFor();
        await card(discard.id).waitFor({ state: 'detached' });
        expect(sfRecord(discard.id).Probability).toBe(discard.fields['Opportunity.Probability']);
        // The record page shows both sides where they now differ.
        await page.goto(`${demo.url}/#/records/Opportunity/${discard.id}`);
        const probability = page.locator('[data-field="Opportunity.Probability"]');
        await probability.locator('[data-id="salesforce-value"]').waitFor();
        expect(await probability.locator('[data-id="value"]').textContent()).toBe('99%');
        expect(await probability.locator('[data-id="salesforce-value"]').textContent()).toContain(
            `In Salesforce: ${discard.fields['Opportunity.Probability']}%`
        );
        await capture(page, '10c-record-page-both-sides');
        expect(await page.locator('[data-id="differs"]').textContent()).toContain('1 field differs from Salesforce');
        await onPhone('10c-record-page-both-sides', `#/records/Opportunity/${discard.id}`, (p) =>
            p.locator('[data-field="Opportunity.Probability"] [data-id="salesforce-value"]').waitFor()
        );
    });

    test('pending while Salesforce is unavailable, then a conflict resolved side by side', async () => {
        await apiCall('PATCH', '/objects/Account', { conflictPolicy: 'Manual' });
        await control('POST', '/faults', { path: '/services/data/**', method: 'POST', status: 503 });
        await control('POST', '/faults', { path: '/services/data/**', method: 'PATCH', status: 503 });
        await openRecords(page, 'Account');
        const id = (await page.locator('s-record-list tbody tr').nth(2).getAttribute('data-id'))!;
        const name = (await row(page, id).locator('[data-id="open-record"]').textContent())!.trim();
        // Phone is not a default column: it is edited on the record page.
        await row(page, id).locator('[data-id="open-record"]').click();
        const phoneField = page.locator('[data-field="Account.Phone"]');
        await phoneField.getByRole('button', { name: 'Edit Phone' }).click();
        expect(await phoneField.locator('input').getAttribute('type')).toBe('tel');
        await phoneField.locator('input').fill('+1 (555) 000-1111');
        await phoneField.getByRole('button', { name: 'Save' }).click();
        const state = page.locator('.statisfy-record-sync [data-state]');
        await eventually(
            async () => (await state.getAttribute('data-state')) === 'pending',
            15_000,
            'pending state'
        ).catch(async (error: Error) => {
            // Say what the page showed instead, for the person reading the failure.
            await page.screenshot({ path: path.join(SHOTS, 'debug-pending.png'), fullPage: true });
            const shown = await state.getAttribute('data-state');
            const toasts = await page.locator('s-toasts').textContent();
            const record = await apiCall('GET', `/objects/Account/records/${id}`);
            throw new Error(
                `${error.message}; record state ${shown}; toasts ${toasts}; record ${JSON.stringify(record)}`
            );
        });
        await phoneField.locator('[data-id="field-pending"]').waitFor();
        await capture(page, '15-record-pending');

        // Meanwhile someone changes the same field in Salesforce.
        await control('PATCH', `/records/Account/${id}`, {
            values: { Phone: '+1 (555) 999-2222' },
            as: 'admin@statisfy.test'
        });
        await eventually(async () => (await state.getAttribute('data-state')) === 'conflict', 20_000, 'conflict state');
        await control('DELETE', '/faults');
        await capture(page, '16-record-conflict');
        await onPhone('16-record-conflict', `#/records/Account/${id}`, (p) =>
            p.locator('.statisfy-record-sync [data-state="conflict"]').waitFor()
        );
        await openRecords(page, 'Account');
        expect(await row(page, id).locator('[data-state]').getAttribute('data-state')).toBe('conflict');

        await page.goto(`${demo.url}/#/sync`);
        const card = page.locator(`[data-id="conflicts"] li[data-record="${id}"]`).first();
        await card.waitFor();
        expect(await card.locator('[data-id="record-link"]').textContent()).toBe(name);
        expect(await card.locator('[data-id="statisfy-value"]').textContent()).toBe('+1 (555) 000-1111');
        expect(await card.locator('[data-id="salesforce-value"]').textContent()).toBe('+1 (555) 999-2222');
        await capture(page, '17-sync-conflict');
        await onPhone('17-sync-conflict', '#/sync', (p) =>
            p.locator(`[data-id="conflicts"] li[data-record="${id}"]`).first().waitFor()
        );
        await card.getByRole('button', { name: /^Keep Statisfy value/ }).click();
        await page.getByText('The Statisfy value was kept.').waitFor();
        await eventually(() => sfRecord(id).Phone === '+1 (555) 000-1111', 40_000, 'resolved value in the emulator');
    });
});

describe('states that are true', () => {
    test('loading shows placeholders, a failed load an error with Try again (never beside an empty state)', async () => {
        let release: () => void = () => undefined;
        const held = new Promise<void>((r) => (release = r));
        let failNext = false;
        await page.route('**/api/v1/objects/Opportunity/fields', async (route) => {
            if (failNext) {
                failNext = false;
                await route.fulfill({
                    status: 503,
                    contentType: 'application/json',
                    body: JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'The database is restarting' } })
                });
                return;
            }
            await held;
            await route.continue();
        });
        await page.goto(`${demo.url}/#/settings/object-manager/Opportunity`);
        await page.locator('[data-id="loading"]').first().waitFor();
        expect(await page.locator('[data-id="summary"]').textContent()).toContain('loading fields');
        expect(await page.getByText('No Statisfy fields yet').count()).toBe(0);
        expect(await page.getByText('0 fields').count()).toBe(0);
        await capture(page, '19-loading');
        release();
        await page.getByRole('heading', { name: 'Salesforce fields' }).waitFor();

        failNext = true;
        await page.goto(`${demo.url}/#/records/Opportunity`);
        await page.locator('[data-id="error-state"]').waitFor();
        expect(await page.locator('[data-id="error-state"]').textContent()).toContain('The database is restarting');
        expect(await page.locator('[data-id="empty"]').count()).toBe(0);
        await capture(page, '20-error-state');
        await page.getByRole('button', { name: 'Try again' }).click();
        await page.locator('s-record-list tbody tr').first().waitFor();
        expect(await page.locator('[data-id="error-state"]').count()).toBe(0);
        await page.unroute('**/api/v1/objects/Opportunity/fields');

        // The same two states on a phone.
        let releasePhone: () => void = () => undefined;
        const heldPhone = new Promise<void>((r) => (releasePhone = r));
        await phone.route('**/api/v1/objects/Opportunity/fields', async (route) => {
            await heldPhone;
            await route.fulfill({
                status: 503,
                contentType: 'application/json',
                body: JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'The database is restarting' } })
            });
        });
        await onPhone('19-loading', '#/records/Opportunity', (p) => p.locator('[data-id="loading"]').waitFor());
        releasePhone();
        await phone.locator('[data-id="error-state"]').waitFor();
        await capture(phone, '20-error-state');
        await phone.unroute('**/api/v1/objects/Opportunity/fields');
    });

    test('unknown routes, objects and records get a not-found page', async () => {
        for (const [hash, text] of [
            ['#/no/such/page', 'Page was not found'],
            ['#/records/No_Such__c', 'Object No_Such__c was not found'],
            ['#/settings/object-manager/No_Such__c', 'Object No_Such__c was not found'],
            ['#/records/Account/001000000000000AAA', 'Record was not found']
        ]) {
            await page.goto(`${demo.url}/${hash}`);
            await page.getByRole('heading', { name: text }).waitFor();
        }
        await page.goto(`${demo.url}/#/no/such/page`);
        await page.getByRole('heading', { name: 'Page was not found' }).waitFor();
        await capture(page, '21-not-found');
        await onPhone('21-not-found', '#/records/No_Such__c', (p) =>
            p.getByRole('heading', { name: 'Object No_Such__c was not found' }).waitFor()
        );
    });
});

describe('the demo start (scripts/start.ts)', () => {
    test('a fresh clone is told the web app is built for the first time; the stop message names the data directory', () => {
        expect(webBuildMessage('missing')).toBe('building the web app (first start: no build yet)…');
        expect(webBuildMessage('missing')).not.toContain('changed since');
        expect(webBuildMessage('stale')).toContain('its sources changed since the last build');
        expect(stopMessage(dataDir)).toContain(dataDir);
        expect(demo.dataDir).toBe(path.resolve(dataDir));
    });
});
