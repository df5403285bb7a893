import type { AuthorizeRequest } from './service';

/** Escapes text for HTML content and double-quoted attribute values. */
export function htmlEscape(s: string): string {
    return s.replace(
        /[&<>"']/g,
        (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string
    );
}

/** Salesforce's login-page message for a wrong username or password (also shown for inactive users). */
export const LOGIN_FAILED_MESSAGE =
    "Please check your username and password. If you still can't log in, contact your Salesforce administrator.";

const SCOPE_LABELS: Record<string, string> = {
    api: 'Manage user data via APIs (api)',
    id: 'Access the identity URL service (id, profile, email, address, phone)',
    refresh_token: 'Perform requests at any time (refresh_token, offline_access)',
    offline_access: 'Perform requests at any time (refresh_token, offline_access)',
    web: 'Manage user data via Web browsers (web)',
    full: 'Full access (full)',
    openid: 'Access unique user identifiers (openid)',
    profile: 'Access the identity URL service (id, profile, email, address, phone)',
    email: 'Access the identity URL service (id, profile, email, address, phone)',
    address: 'Access the identity URL service (id, profile, email, address, phone)',
    phone: 'Access the identity URL service (id, profile, email, address, phone)'
};

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f3f3;color:#181818;margin:0}
main{max-width:26rem;margin:3rem auto;background:#fff;border:1px solid #c9c9c9;border-radius:.5rem;padding:1.5rem 2rem}
h1{font-size:1.4rem;margin:0 0 .25rem}
p.note{font-size:.85rem;color:#444}
label{display:block;font-weight:600;margin-top:1rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;font-size:1rem;border:1px solid #747474;border-radius:.25rem}
input:focus,button:focus{outline:3px solid #0176d3;outline-offset:2px}
ul{padding-left:1.2rem}
.alert{background:#fde8e8;border:1px solid #ba0517;color:#8e030f;padding:.6rem;border-radius:.25rem}
.actions{display:flex;gap:.75rem;margin-top:1.25rem}
button{font-size:1rem;padding:.55rem 1.2rem;border-radius:.25rem;border:1px solid #0176d3;cursor:pointer}
button.primary{background:#0176d3;color:#fff}
button.secondary{background:#fff;color:#0176d3}`;

function layout(title: string, body: string): string {
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
        '<meta name="viewport" content="width=device-width, initial-scale=1">' +
        `<title>${htmlEscape(title)}</title><style>${STYLE}</style></head>` +
        `<body><main>${body}</main></body></html>`
    );
}

/** Inputs for {@link loginAndAllowPage}. */
export interface LoginPageOptions {
    orgName: string;
    request: AuthorizeRequest;
    /** Username to prefill (the `login_hint`, or what was typed before a failed attempt). */
    username: string;
    /** Message for a failed attempt, announced to assistive technology. */
    error: string | null;
}

/**
 * The emulator's login-and-allow page for the OAuth web-server flow: one form with the user's credentials,
 * the scopes the connected app asks for, and Allow / Deny buttons. Posts back to `/services/oauth2/authorize`.
 */
export function loginAndAllowPage(opts: LoginPageOptions): string {
    const r = opts.request;
    const hidden = (name: string, value: string | null): string =>
        value === null ? '' : `<input type="hidden" name="${name}" value="${htmlEscape(value)}">`;
    const labels = [...new Set(r.scope.split(' ').map((s) => SCOPE_LABELS[s] ?? s))];
    const errorId = 'login-error';
    const described = opts.error ? ` aria-describedby="${errorId}" aria-invalid="true"` : '';
    const body =
        `<h1>Log in to ${htmlEscape(opts.orgName)}</h1>` +
        '<p class="note">Local Salesforce org emulator — development use only.</p>' +
        (opts.error ? `<p class="alert" role="alert" id="${errorId}">${htmlEscape(opts.error)}</p>` : '') +
        '<form method="post" action="/services/oauth2/authorize" novalidate>' +
        hidden('response_type', 'code') +
        hidden('client_id', r.clientId) +
        hidden('redirect_uri', r.redirectUri) +
        hidden('state', r.state) +
        hidden('scope', r.scope) +
        hidden('code_challenge', r.codeChallenge) +
        hidden('code_challenge_method', r.codeChallenge ? 'S256' : null) +
        '<label for="username">Username</label>' +
        `<input type="text" id="username" name="username" autocomplete="username" required value="${htmlEscape(opts.username)}"${described}>` +
        '<label for="password">Password</label>' +
        `<input type="password" id="password" name="password" autocomplete="current-password" required${described}>` +
        `<h2 style="font-size:1.05rem;margin-top:1.5rem">Allow access?</h2>` +
        `<p><strong>${htmlEscape(r.clientId)}</strong> is asking to:</p>` +
        `<ul>${labels.map((l) => `<li>${htmlEscape(l)}</li>`).join('')}</ul>` +
        '<div class="actions">' +
        '<button type="submit" class="primary" name="action" value="allow">Allow</button>' +
        '<button type="submit" class="secondary" name="action" value="deny">Deny</button>' +
        '</div></form>';
    return layout(`Log in | ${opts.orgName}`, body);
}

/**
 * The error page shown instead of redirecting when the client id or redirect URI is not registered.
 * Salesforce prints the error as `error=…&error_description=…`; so does this page.
 */
export function authorizeErrorPage(error: string, description: string): string {
    const line = `error=${encodeURIComponent(error)}&error_description=${encodeURIComponent(description)}`;
    return layout(
        'Remote Access Authorization Error',
        '<h1>Remote Access Authorization Error</h1>' +
            '<p role="alert">There was a problem in setting up your remote access.</p>' +
            `<p><code>${htmlEscape(line)}</code></p>`
    );
}
