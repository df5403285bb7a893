import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { authorizeErrorPage, LOGIN_FAILED_MESSAGE, loginAndAllowPage } from './authorize-page';
import { identityDocument, userInfoDocument, type IdentityOrg } from './identity';
import type { AuthService, BasicClientCredentials } from './service';
import {
    faultXml,
    invalidLoginFault,
    invalidSessionFault,
    loginResponseXml,
    logoutResponseXml,
    parseSoapRequest,
    SoapFault
} from './soap';
import { OAuthError, type Session } from './types';

/** Content type of every Salesforce JSON answer, byte for byte. */
export const JSON_UTF8 = 'application/json;charset=UTF-8';

/** The body of Salesforce's 401 answer to an unknown, revoked or expired session. */
export const INVALID_SESSION_BODY = '[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]';

/** Sends a JSON (or pre-serialised JSON) body with Salesforce's exact content type. */
function sendJson(res: Response, status: number, body: unknown): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.status(status);
    res.setHeader('Content-Type', JSON_UTF8);
    res.end(text);
}

function sendText(res: Response, status: number, contentType: string, text: string): void {
    res.status(status);
    res.setHeader('Content-Type', contentType);
    res.end(text);
}

function noStore(res: Response): void {
    res.setHeader('Cache-Control', 'no-cache,must-revalidate,max-age=0,no-store,private');
    res.setHeader('Pragma', 'no-cache');
}

/** String-valued fields of a parsed form or query (repeated fields keep their first value). */
function fields(...sources: unknown[]): Record<string, string | undefined> {
    const out: Record<string, string | undefined> = {};
    for (const src of sources) {
        if (!src || typeof src !== 'object') continue;
        for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
            if (out[k] !== undefined) continue;
            if (typeof v === 'string') out[k] = v;
            else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
        }
    }
    return out;
}

/**
 * The form fields of a request body. Normally parsed by this router's urlencoded parser; when a parser
 * mounted earlier in the app has already read the body as text or bytes, the text is parsed here.
 */
function formOf(req: Request): unknown {
    const body: unknown = req.body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
        const type = String(req.headers['content-type'] ?? '');
        if (!/^application\/x-www-form-urlencoded\b/i.test(type)) return {};
        return Object.fromEntries(new URLSearchParams(body.toString()));
    }
    return body;
}

/** Client id and secret from `Authorization: Basic base64(id:secret)`, or null. */
function basicCredentials(req: Request): BasicClientCredentials | null {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return null;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const unform = (s: string): string => {
        try {
            return decodeURIComponent(s.replace(/\+/g, ' '));
        } catch {
            return s;
        }
    };
    return { clientId: unform(decoded.slice(0, colon)), clientSecret: unform(decoded.slice(colon + 1)) };
}

/** The access token of a request: `Authorization: Bearer|OAuth <token>`. */
export function bearerToken(req: Request): string | null {
    const m = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return m ? m[1] : null;
}

/** Reads the body as text when no earlier body parser did. */
const soapText = express.text({ type: () => true, limit: '1mb' });
const formBody = express.urlencoded({ extended: false, limit: '1mb' });

function identityOrg(auth: AuthService): IdentityOrg {
    return {
        orgId: auth.cfg.orgId,
        baseUrl: auth.baseUrl(),
        lastModified: auth.createdAt,
        now: auth.cfg.clock.now()
    };
}

/**
 * The identity service answers token problems with plain-text codes, as Salesforce does:
 * 403 `Missing_OAuth_Token` / `Bad_OAuth_Token` / `Wrong_Org`, 404 `Bad_Id` / `Inactive`.
 */
function identityError(res: Response, status: number, code: string): void {
    sendText(res, status, 'text/plain;charset=UTF-8', code);
}

function identityToken(req: Request): string | null {
    const q = fields(req.query);
    return q.oauth_token ?? q.access_token ?? bearerToken(req);
}

/**
 * The auth endpoints of one org, mounted at the root of the emulator:
 * - `POST /services/Soap/u/:version[/:orgId]` — SOAP `login()` and `logout()` of the partner API;
 * - `POST /services/oauth2/token` — password, refresh_token, JWT bearer and authorization_code grants;
 * - `GET|POST /services/oauth2/authorize` — the web-server flow's login-and-allow page;
 * - `POST|GET /services/oauth2/revoke` — revoke an access or refresh token;
 * - `GET /id/:orgId/:userId` — the identity service; `GET /services/oauth2/userinfo` — OpenID userinfo.
 */
export function createAuthRouter(auth: AuthService): Router {
    const router = express.Router();

    // ------------------------------------------------------------ SOAP partner API: login / logout
    const soap: RequestHandler = (req, res) => {
        const version = String(req.params.version);
        const reply = (status: number, xml: string): void => sendText(res, status, 'text/xml;charset=UTF-8', xml);
        try {
            if (!/^\d{1,3}\.\d$/.test(version)) {
                throw new SoapFault(
                    'sf:UNSUPPORTED_API_VERSION',
                    'UNSUPPORTED_API_VERSION: Invalid Api version specified on URL'
                );
            }
            const body =
                typeof req.body === 'string' ? req.body : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
            const call = parseSoapRequest(body);
            if (call.operation === 'login') {
                const username = typeof call.args.username === 'string' ? call.args.username : undefined;
                const password = typeof call.args.password === 'string' ? call.args.password : undefined;
                const result = auth.soapLogin(username, password);
                if (!result) throw invalidLoginFault();
                reply(
                    200,
                    loginResponseXml(result.session, result.user, {
                        orgId: auth.cfg.orgId,
                        orgName: auth.cfg.orgName,
                        baseUrl: auth.baseUrl(),
                        apiVersion: version,
                        sessionSecondsValid: Math.round(auth.cfg.accessTokenTtlMs / 1000)
                    })
                );
                return;
            }
            if (call.operation === 'logout') {
                if (!auth.soapLogout(call.sessionId)) throw invalidSessionFault();
                reply(200, logoutResponseXml());
                return;
            }
            throw new SoapFault(
                'soapenv:Client',
                `No operation available for request {urn:partner.soap.sforce.com}${call.operation}, please check the WSDL for the service.`
            );
        } catch (e) {
            if (e instanceof SoapFault) {
                reply(500, faultXml(e));
                return;
            }
            throw e;
        }
    };
    router.post('/services/Soap/u/:version', soapText, soap);
    router.post('/services/Soap/u/:version/:orgId', soapText, soap);

    // ------------------------------------------------------------ OAuth 2.0 token endpoint
    router.post('/services/oauth2/token', formBody, (req, res) => {
        noStore(res);
        try {
            // Salesforce also reads the parameters from the query string of the POST.
            const params = fields(formOf(req), req.query);
            sendJson(res, 200, auth.token(params, basicCredentials(req)));
        } catch (e) {
            if (e instanceof OAuthError) {
                sendJson(res, e.status, e.toJSON());
                return;
            }
            throw e;
        }
    });

    // ------------------------------------------------------------ web-server flow: authorize
    const pageHeaders = (res: Response): void => {
        noStore(res);
        res.setHeader('X-Frame-Options', 'DENY');
        res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    };
    const redirectBack = (res: Response, uri: string, params: Record<string, string | null>): void => {
        const target = new URL(uri);
        for (const [k, v] of Object.entries(params)) if (v !== null) target.searchParams.set(k, v);
        res.redirect(302, target.toString());
    };

    router.get('/services/oauth2/authorize', (req, res) => {
        pageHeaders(res);
        const check = auth.checkAuthorizeRequest(fields(req.query));
        if (check.kind === 'page') {
            sendText(res, 400, 'text/html;charset=UTF-8', authorizeErrorPage(check.error, check.description));
            return;
        }
        if (check.kind === 'redirect') {
            redirectBack(res, check.redirectUri, {
                error: check.error,
                error_description: check.description,
                state: check.state
            });
            return;
        }
        const html = loginAndAllowPage({
            orgName: auth.cfg.orgName,
            request: check.request,
            username: check.request.loginHint ?? '',
            error: null
        });
        sendText(res, 200, 'text/html;charset=UTF-8', html);
    });

    router.post('/services/oauth2/authorize', formBody, (req, res) => {
        pageHeaders(res);
        const form = fields(formOf(req));
        const check = auth.checkAuthorizeRequest(form);
        if (check.kind === 'page') {
            sendText(res, 400, 'text/html;charset=UTF-8', authorizeErrorPage(check.error, check.description));
            return;
        }
        if (check.kind === 'redirect') {
            redirectBack(res, check.redirectUri, {
                error: check.error,
                error_description: check.description,
                state: check.state
            });
            return;
        }
        const request = check.request;
        if (form.action === 'deny') {
            redirectBack(res, request.redirectUri, {
                error: 'access_denied',
                error_description: 'end-user denied authorization',
                state: request.state
            });
            return;
        }
        const user = auth.authenticate(form.username, form.password);
        if (!user) {
            const html = loginAndAllowPage({
                orgName: auth.cfg.orgName,
                request,
                username: form.username ?? '',
                error: LOGIN_FAILED_MESSAGE
            });
            sendText(res, 200, 'text/html;charset=UTF-8', html);
            return;
        }
        const code = auth.createAuthorizationCode(request, user.id);
        redirectBack(res, request.redirectUri, { code, state: request.state });
    });

    // ------------------------------------------------------------ revoke
    const revoke: RequestHandler = (req, res) => {
        noStore(res);
        const { token } = fields(formOf(req), req.query);
        if (!token) {
            sendJson(res, 400, { error: 'unsupported_token_type', error_description: 'Token type not supported' });
            return;
        }
        if (!auth.revokeToken(token)) {
            sendJson(res, 400, { error: 'invalid_token', error_description: 'Token was invalid' });
            return;
        }
        res.status(200).end();
    };
    router.post('/services/oauth2/revoke', formBody, revoke);
    router.get('/services/oauth2/revoke', revoke);

    // ------------------------------------------------------------ identity service
    router.get('/id/:orgId/:userId', (req, res) => {
        noStore(res);
        const token = identityToken(req);
        if (!token) return identityError(res, 403, 'Missing_OAuth_Token');
        const session = auth.validate(token);
        if (!session) return identityError(res, 403, 'Bad_OAuth_Token');
        const orgId = String(req.params.orgId);
        const userId = String(req.params.userId);
        if (!/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/.test(orgId)) return identityError(res, 404, 'Bad_Id');
        if (orgId.slice(0, 15) !== auth.cfg.orgId.slice(0, 15)) return identityError(res, 403, 'Wrong_Org');
        const user = /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/.test(userId)
            ? auth.cfg.users().find((u) => u.id.slice(0, 15) === userId.slice(0, 15))
            : undefined;
        if (!user) return identityError(res, 404, 'Bad_Id');
        if (!user.isActive) return identityError(res, 404, 'Inactive');
        sendJson(res, 200, identityDocument(identityOrg(auth), user, user.id === session.userId));
    });

    router.get('/services/oauth2/userinfo', (req, res) => {
        noStore(res);
        const token = identityToken(req);
        if (!token) return identityError(res, 403, 'Missing_OAuth_Token');
        const session = auth.validate(token);
        const user = session ? auth.userById(session.userId) : undefined;
        if (!session || !user) return identityError(res, 403, 'Bad_OAuth_Token');
        sendJson(res, 200, userInfoDocument(identityOrg(auth), user));
    });

    return router;
}

/**
 * Guards Salesforce API routes: a valid `Authorization: Bearer|OAuth <token>` puts the {@link Session} in
 * `res.locals.session`; anything else gets Salesforce's 401 `INVALID_SESSION_ID` answer.
 */
export function requireSession(auth: AuthService): RequestHandler {
    return (req, res, next) => {
        const token = bearerToken(req);
        const session: Session | null = token ? auth.validate(token) : null;
        if (!session) {
            sendJson(res, 401, INVALID_SESSION_BODY);
            return;
        }
        res.locals.session = session;
        next();
    };
}
