/**
 * The Salesforce side of the demo: a small Salesforce-looking record page (SLDS) served under `/__emulator/ui/`.
 * A person picks a Salesforce user ("Acting as"), opens a record, edits it and saves; the save is an ordinary
 * DML update in the emulated org, so the package's behaviour publishes Record_Change__e and the change arrives
 * in Statisfy like any change made in Salesforce.
 *
 * Pages (server-rendered HTML, no script needed):
 * - `GET  /__emulator/ui/`                      → the first object's list
 * - `GET  /__emulator/ui/:object?q=&as=`        → records of an object (search by name)
 * - `GET  /__emulator/ui/:object/:id?as=`       → the record page with its editable fields
 * - `POST /__emulator/ui/:object/:id`           → save as the chosen user (form fields `as`, `f.<Field>`, `present`)
 * - `GET  /__emulator/ui/assets/...`            → the SLDS stylesheet and icons
 */
import * as path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import type { Org } from '../org';
import type { FieldSchema, ObjectSchema } from '../schema/types';
import { DmlError, type Rec } from '../store/store';

/** What the page needs from the server. */
export interface UiHost {
    org: Org;
    /** Called after a save (persistence). */
    touch(): void;
}

/** Objects shown in the page's navigation, in this order, when the org has them. */
export const UI_OBJECTS = ['Account', 'Opportunity', 'Contact', 'Success_Plan__c'];

const EDITABLE_TYPES = new Set([
    'string',
    'textarea',
    'boolean',
    'double',
    'int',
    'currency',
    'percent',
    'date',
    'datetime',
    'picklist',
    'email',
    'phone',
    'url'
]);
const SYSTEM_FIELDS = new Set([
    'Id',
    'IsDeleted',
    'OwnerId',
    'CreatedDate',
    'CreatedById',
    'LastModifiedDate',
    'LastModifiedById',
    'SystemModstamp'
]);
const PAGE_SIZE = 50;

/** HTML-escapes text. */
export function esc(value: unknown): string {
    return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function assetsDir(): string {
    return path.join(path.dirname(require.resolve('@salesforce-ux/design-system/package.json')), 'assets');
}

/** Fields a person can edit on the page: updateable, not computed, of a simple type. */
export function editableFields(obj: ObjectSchema): FieldSchema[] {
    return [...obj.fields.values()].filter(
        (f) => f.updateable && !f.calculated && EDITABLE_TYPES.has(f.type) && !SYSTEM_FIELDS.has(f.name)
    );
}

/** Converts a submitted form value to the REST JSON value of the field's type. */
export function fromForm(f: FieldSchema, raw: string | undefined, present: boolean): unknown {
    if (f.type === 'boolean') return present && raw !== undefined;
    const text = (raw ?? '').trim();
    if (text === '') return null;
    if (['double', 'int', 'currency', 'percent'].includes(f.type)) {
        const n = Number(text.replace(/,/g, ''));
        if (Number.isNaN(n))
            throw new DmlError('INVALID_TYPE_ON_FIELD_IN_RECORD', `${f.label}: value not of required type: ${text}`, [
                f.name
            ]);
        return n;
    }
    if (f.type === 'datetime') {
        const d = new Date(text);
        if (Number.isNaN(d.getTime()))
            throw new DmlError('INVALID_TYPE_ON_FIELD_IN_RECORD', `${f.label}: not a date and time: ${text}`, [f.name]);
        return d.toISOString().replace('Z', '+0000');
    }
    return text;
}

function sameValue(a: unknown, b: unknown): boolean {
    if ((a === null || a === undefined || a === '') && (b === null || b === undefined || b === '')) return true;
    if (typeof a === 'string' && typeof b === 'string' && /T\d\d:/.test(a) && /T\d\d:/.test(b)) {
        return new Date(a.replace('+0000', 'Z')).getTime() === new Date(b.replace('+0000', 'Z')).getTime();
    }
    return a === b;
}

function display(f: FieldSchema | undefined, v: unknown): string {
    if (v === null || v === undefined || v === '') return '';
    if (f?.type === 'boolean') return v ? 'Yes' : 'No';
    if (f?.type === 'currency' && typeof v === 'number')
        return v.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
    if (typeof v === 'number') return v.toLocaleString('en-US');
    if (f?.type === 'datetime' && typeof v === 'string')
        return new Date(v.replace('+0000', 'Z')).toLocaleString('en-US', { timeZone: 'UTC' }) + ' UTC';
    return String(v);
}

function nameOf(obj: ObjectSchema, rec: Rec): string {
    const nameField = [...obj.fields.values()].find((f) => f.nameField);
    const v = nameField ? rec[nameField.name] : rec.Name;
    return String(v ?? rec.Id);
}

const ICONS: Record<string, string> = { Account: 'account', Opportunity: 'opportunity', Contact: 'contact' };

function icon(obj: ObjectSchema, size = 'medium'): string {
    const name = ICONS[obj.name] ?? 'custom';
    const sprite = ICONS[obj.name] ? 'standard' : 'standard';
    return `<span class="slds-icon_container slds-icon-standard-${name}"><svg class="slds-icon slds-icon_${size}" aria-hidden="true"><use href="/__emulator/ui/assets/icons/${sprite}-sprite/svg/symbols.svg#${name}"></use></svg></span>`;
}

/** Creates the router (mount it at `/__emulator/ui`). */
export function createEmulatorUiRouter(host: UiHost): Router {
    const { org } = host;
    const r = express.Router();
    r.use('/assets', express.static(assetsDir(), { maxAge: '7d', index: false }));
    r.use(express.urlencoded({ extended: false, limit: '1mb' }));

    const objects = () => UI_OBJECTS.map((n) => org.schema.get(n)).filter((o): o is ObjectSchema => !!o);
    const actingAs = (req: Request) => {
        const wanted = String((req.body as Record<string, string> | undefined)?.as ?? req.query.as ?? '');
        return (wanted && org.user(wanted)) || org.adminUser;
    };
    const userName = (id: unknown) => {
        const u = typeof id === 'string' ? org.user(id) : undefined;
        return u ? `${u.firstName} ${u.lastName}` : String(id ?? '');
    };

    const layout = (req: Request, title: string, current: string | null, body: string) => {
        const as = actingAs(req);
        const nav = objects()
            .map(
                (o) =>
                    `<li class="slds-context-bar__item${o.name === current ? ' slds-is-active' : ''}"><a class="slds-context-bar__label-action" href="/__emulator/ui/${encodeURIComponent(o.name)}?as=${encodeURIComponent(as.username)}"${o.name === current ? ' aria-current="page"' : ''}><span class="slds-truncate">${esc(o.labelPlural)}</span></a></li>`
            )
            .join('');
        const users = org.users
            .filter((u) => u.isActive)
            .map(
                (u) =>
                    `<option value="${esc(u.username)}"${u.id === as.id ? ' selected' : ''}>${esc(`${u.firstName} ${u.lastName}`)} (${esc(u.username)})</option>`
            )
            .join('');
        return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} | Salesforce (emulated)</title>
<link rel="stylesheet" href="/__emulator/ui/assets/styles/salesforce-lightning-design-system.min.css">
<style>
body{background:#b0c4df;min-height:100vh}
.emu-header{background:#fff;border-bottom:1px solid #dddbda}
.emu-cloud{display:inline-flex;width:2.2rem;height:1.5rem;border-radius:0.75rem;background:#0b5cab;color:#fff;font-weight:700;font-size:.75rem;align-items:center;justify-content:center}
.emu-main{max-width:1200px;margin:0 auto}
.emu-banner{background:#032d60;color:#fff;font-size:.75rem;padding:.25rem 1rem}
</style></head>
<body>
<div class="emu-banner" role="note">Emulated Salesforce org <strong>${esc(org.orgName)}</strong> (${esc(org.orgId)}) · saving a record publishes Record_Change__e, so Statisfy receives it like a change made in Salesforce.</div>
<header class="emu-header">
  <div class="slds-grid slds-grid_align-spread slds-grid_vertical-align-center slds-p-horizontal_medium slds-p-vertical_x-small">
    <div class="slds-grid slds-grid_vertical-align-center"><span class="emu-cloud" aria-hidden="true">SF</span><span class="slds-text-heading_small slds-m-left_small">Sales</span></div>
    <form method="get" class="slds-grid slds-grid_vertical-align-center" action="">
      <label class="slds-form-element__label slds-m-right_x-small" for="as">Acting as</label>
      <div class="slds-select_container"><select class="slds-select" id="as" name="as">${users}</select></div>
      <button class="slds-button slds-button_neutral slds-m-left_x-small" type="submit">Switch user</button>
    </form>
  </div>
  <div class="slds-context-bar"><nav class="slds-context-bar__secondary" aria-label="Objects"><ul class="slds-grid">${nav}</ul></nav></div>
</header>
<main class="emu-main slds-p-around_medium" id="main">${body}</main>
</body></html>`;
    };

    const requireObject = (name: string): ObjectSchema | null => {
        const o = org.schema.get(name);
        return o && objects().some((x) => x.name === o.name) ? o : null;
    };

    r.get('/', (req, res) => {
        const first = objects()[0];
        res.redirect(302, `/__emulator/ui/${encodeURIComponent(first?.name ?? 'Account')}`);
    });

    r.get('/:object', (req: Request, res: Response) => {
        const obj = requireObject(String(req.params.object));
        if (!obj) {
            res.status(404)
                .type('html')
                .send(
                    layout(
                        req,
                        'Not found',
                        null,
                        `<p class="slds-text-heading_medium">No object ${esc(req.params.object)}.</p>`
                    )
                );
            return;
        }
        const q = String(req.query.q ?? '')
            .trim()
            .toLowerCase();
        const as = actingAs(req);
        const shown = editableFields(obj)
            .filter((f) => !f.nameField)
            .slice(0, 4);
        const all = [...org.store.records(obj.name, false)]
            .filter((rec) => !q || nameOf(obj, rec).toLowerCase().includes(q))
            .sort((a, b) => nameOf(obj, a).localeCompare(nameOf(obj, b)));
        const rows = all
            .slice(0, PAGE_SIZE)
            .map(
                (rec) =>
                    `<tr><th scope="row"><a href="/__emulator/ui/${encodeURIComponent(obj.name)}/${esc(rec.Id)}?as=${encodeURIComponent(as.username)}">${esc(nameOf(obj, rec))}</a></th>${shown
                        .map((f) => `<td><div class="slds-truncate">${esc(display(f, rec[f.name]))}</div></td>`)
                        .join(
                            ''
                        )}<td>${esc(display(obj.fields.get('LastModifiedDate'), rec.LastModifiedDate))}</td></tr>`
            )
            .join('');
        const body = `
<div class="slds-page-header slds-page-header_object-home">
  <div class="slds-page-header__row">
    <div class="slds-page-header__col-title"><div class="slds-media"><div class="slds-media__figure">${icon(obj)}</div>
      <div class="slds-media__body"><p class="slds-text-body_small">${esc(obj.labelPlural)}</p><h1 class="slds-page-header__title">All ${esc(obj.labelPlural)}</h1>
      <p class="slds-text-body_small slds-text-color_weak">${all.length} item${all.length === 1 ? '' : 's'}${all.length > PAGE_SIZE ? ` · showing the first ${PAGE_SIZE}` : ''}</p></div></div></div>
    <div class="slds-page-header__col-controls">
      <form method="get" class="slds-grid"><input type="hidden" name="as" value="${esc(as.username)}">
        <label class="slds-assistive-text" for="q">Search ${esc(obj.labelPlural)}</label>
        <input class="slds-input" type="search" id="q" name="q" value="${esc(req.query.q ?? '')}" placeholder="Search this list...">
        <button class="slds-button slds-button_neutral slds-m-left_x-small" type="submit">Search</button></form>
    </div>
  </div>
</div>
<div class="slds-card slds-m-top_x-small"><table class="slds-table slds-table_bordered slds-table_cell-buffer">
<thead><tr class="slds-line-height_reset"><th scope="col">Name</th>${shown.map((f) => `<th scope="col">${esc(f.label)}</th>`).join('')}<th scope="col">Last Modified Date</th></tr></thead>
<tbody>${rows || `<tr><td colspan="${shown.length + 2}">No records.</td></tr>`}</tbody></table></div>`;
        res.type('html').send(layout(req, `${obj.labelPlural}`, obj.name, body));
    });

    const recordPage = (
        req: Request,
        res: Response,
        obj: ObjectSchema,
        rec: Rec,
        message: { kind: 'success' | 'error'; text: string; fields?: string[] } | null,
        values?: Record<string, unknown>
    ) => {
        const as = actingAs(req);
        const fields = editableFields(obj);
        const inputs = fields
            .map((f) => {
                const v = values && f.name in values ? values[f.name] : rec[f.name];
                const id = `f-${f.name}`;
                const err = message?.kind === 'error' && message.fields?.includes(f.name);
                const cls = `slds-form-element slds-m-bottom_small${err ? ' slds-has-error' : ''}`;
                let control: string;
                if (f.type === 'boolean') {
                    control = `<div class="slds-checkbox"><input type="checkbox" id="${id}" name="f.${esc(f.name)}" value="true"${v ? ' checked' : ''}><label class="slds-checkbox__label" for="${id}"><span class="slds-checkbox_faux"></span><span class="slds-form-element__label">${esc(f.label)}</span></label></div>`;
                    return `<div class="${cls}"><div class="slds-form-element__control">${control}</div></div>`;
                }
                if (f.type === 'picklist') {
                    const opts = [`<option value="">--None--</option>`]
                        .concat(
                            f.picklistValues
                                .filter((p) => p.active)
                                .map(
                                    (p) =>
                                        `<option value="${esc(p.value)}"${p.value === v ? ' selected' : ''}>${esc(p.label)}</option>`
                                )
                        )
                        .join('');
                    control = `<div class="slds-select_container"><select class="slds-select" id="${id}" name="f.${esc(f.name)}">${opts}</select></div>`;
                } else if (f.type === 'textarea') {
                    control = `<textarea class="slds-textarea" id="${id}" name="f.${esc(f.name)}" rows="2">${esc(v)}</textarea>`;
                } else {
                    const type = { date: 'date', email: 'email', url: 'url', phone: 'tel' }[f.type as string] ?? 'text';
                    const shownValue = f.type === 'datetime' && typeof v === 'string' ? v.replace('+0000', 'Z') : v;
                    control = `<input class="slds-input" type="${type}" id="${id}" name="f.${esc(f.name)}" value="${esc(shownValue)}"${['double', 'int', 'currency', 'percent'].includes(f.type) ? ' inputmode="decimal"' : ''}>`;
                }
                return `<div class="${cls}"><label class="slds-form-element__label" for="${id}">${esc(f.label)}</label><div class="slds-form-element__control">${control}</div></div>`;
            })
            .join('');
        const alert = message
            ? `<div class="slds-notify slds-notify_alert ${message.kind === 'success' ? 'slds-alert_success' : 'slds-alert_error'} slds-m-bottom_small" role="${message.kind === 'success' ? 'status' : 'alert'}" data-id="save-message"><h2>${esc(message.text)}</h2></div>`
            : '';
        const body = `
${alert}
<div class="slds-page-header slds-page-header_record-home">
  <div class="slds-page-header__row"><div class="slds-page-header__col-title"><div class="slds-media"><div class="slds-media__figure">${icon(obj, 'large')}</div>
    <div class="slds-media__body"><p class="slds-text-body_small">${esc(obj.label)}</p><h1 class="slds-page-header__title" data-id="record-name">${esc(nameOf(obj, rec))}</h1></div></div></div></div>
  <div class="slds-grid slds-m-top_small slds-p-left_xx-large emu-details">
    <div class="slds-m-right_x-large"><div class="slds-text-title">Record Id</div><div>${esc(rec.Id)}</div></div>
    <div class="slds-m-right_x-large"><div class="slds-text-title">Last Modified By</div><div data-id="last-modified-by">${esc(userName(rec.LastModifiedById))}</div></div>
    <div><div class="slds-text-title">Last Modified</div><div>${esc(display(obj.fields.get('LastModifiedDate'), rec.LastModifiedDate))}</div></div>
  </div>
</div>
<form method="post" class="slds-card slds-m-top_small" action="/__emulator/ui/${encodeURIComponent(obj.name)}/${esc(rec.Id)}">
  <div class="slds-card__header"><h2 class="slds-card__header-title">Details</h2></div>
  <div class="slds-card__body slds-card__body_inner">
    <input type="hidden" name="as" value="${esc(as.username)}">
    <div class="slds-grid slds-wrap slds-gutters">${inputs.replace(/<div class="slds-form-element /g, '<div class="slds-col slds-size_1-of-2 slds-form-element ')}</div>
  </div>
  <footer class="slds-card__footer slds-text-align_right">
    <a class="slds-button slds-button_neutral" href="/__emulator/ui/${encodeURIComponent(obj.name)}?as=${encodeURIComponent(as.username)}">Cancel</a>
    <button class="slds-button slds-button_brand" type="submit">Save as ${esc(`${as.firstName} ${as.lastName}`)}</button>
  </footer>
</form>`;
        res.status(message?.kind === 'error' ? 400 : 200)
            .type('html')
            .send(layout(req, nameOf(obj, rec), obj.name, body));
    };

    const findRecord = (req: Request, res: Response): { obj: ObjectSchema; rec: Rec } | null => {
        const obj = requireObject(String(req.params.object));
        const found = org.store.get(String(req.params.id));
        if (!obj || !found || found.obj.name !== obj.name || found.rec.IsDeleted === true) {
            res.status(404)
                .type('html')
                .send(
                    layout(
                        req,
                        'Not found',
                        obj?.name ?? null,
                        `<p class="slds-text-heading_medium">No ${esc(req.params.object)} record ${esc(req.params.id)}.</p>`
                    )
                );
            return null;
        }
        return { obj, rec: found.rec };
    };

    r.get('/:object/:id', (req, res) => {
        const found = findRecord(req, res);
        if (!found) return;
        const saved = req.query.saved ? { kind: 'success' as const, text: String(req.query.saved) } : null;
        recordPage(req, res, found.obj, found.rec, saved);
    });

    r.post('/:object/:id', (req, res) => {
        const found = findRecord(req, res);
        if (!found) return;
        const { obj, rec } = found;
        const form = (req.body ?? {}) as Record<string, string>;
        const as = actingAs(req);
        const submitted: Record<string, unknown> = {};
        try {
            const changes: Record<string, unknown> = {};
            for (const f of editableFields(obj)) {
                const key = `f.${f.name}`;
                if (f.type !== 'boolean' && !(key in form)) continue;
                const value = fromForm(f, form[key], key in form);
                submitted[f.name] = value;
                if (!sameValue(value, rec[f.name])) changes[f.name] = value;
            }
            if (Object.keys(changes).length === 0) {
                res.redirect(
                    303,
                    `${req.baseUrl}/${encodeURIComponent(obj.name)}/${rec.Id}?as=${encodeURIComponent(as.username)}&saved=${encodeURIComponent('No changes to save')}`
                );
                return;
            }
            org.store.run(as.id, (tx) => org.store.update(tx, obj.name, String(rec.Id), changes));
            host.touch();
            const what = Object.keys(changes)
                .map((n) => obj.fields.get(n)?.label ?? n)
                .join(', ');
            res.redirect(
                303,
                `${req.baseUrl}/${encodeURIComponent(obj.name)}/${rec.Id}?as=${encodeURIComponent(as.username)}&saved=${encodeURIComponent(`Saved as ${as.firstName} ${as.lastName}: ${what}`)}`
            );
        } catch (e) {
            if (e instanceof DmlError) {
                recordPage(
                    req,
                    res,
                    obj,
                    rec,
                    { kind: 'error', text: `${e.statusCode}: ${e.message}`, fields: e.fields },
                    submitted
                );
                return;
            }
            throw e;
        }
    });
    return r;
}
