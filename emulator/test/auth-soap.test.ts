import * as jsforce from 'jsforce';
import {
    ADMIN_ID,
    INTEGRATION_ID,
    ORG_ID,
    PASSWORD,
    TTL_MS,
    startAuthServer,
    type AuthTestServer
} from './auth-harness';

let srv: AuthTestServer;

beforeAll(async () => {
    srv = await startAuthServer();
});
afterAll(async () => {
    await srv.close();
});
beforeEach(() => {
    srv.auth.reset();
    for (const u of srv.users) u.isActive = true;
});

async function soap(
    body: string,
    path = '/services/Soap/u/60.0'
): Promise<{ status: number; type: string | null; text: string }> {
    const res = await fetch(srv.url + path, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml', SOAPAction: '""' },
        body
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

const loginEnvelope = (u: string, p: string): string =>
    '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header/><se:Body>' +
    `<login xmlns="urn:partner.soap.sforce.com"><username>${u}</username><password>${p}</password></login>` +
    '</se:Body></se:Envelope>';

describe('SOAP login() as jsforce 3 sends it', () => {
    it('logs in the admin with conn.login() and the session works on a protected route', async () => {
        const conn = new jsforce.Connection({ loginUrl: srv.url, version: '60.0' });
        const info = await conn.login('admin@statisfy.test', PASSWORD);
        expect(info).toEqual({ id: ADMIN_ID, organizationId: ORG_ID, url: `${srv.url}/id/${ORG_ID}/${ADMIN_ID}` });
        expect(conn.instanceUrl).toBe(srv.url);
        expect(conn.accessToken).toMatch(/^00D5g000004StFy![A-Za-z0-9._]{90,}$/);
        const who = await conn.request<{ userId: string; username: string }>('/services/data/v60.0/whoami');
        expect(who).toEqual({ userId: ADMIN_ID, username: 'admin@statisfy.test', orgId: ORG_ID });
        expect(srv.auth.validate(conn.accessToken!)?.userId).toBe(ADMIN_ID);
    });

    it('accepts the username in any case and logs in the integration user', async () => {
        const conn = new jsforce.Connection({ loginUrl: srv.url });
        const info = await conn.login('Integration@Statisfy.TEST', PASSWORD);
        expect(info.id).toBe(INTEGRATION_ID);
    });

    it('answers loginResponse with serverUrl, sessionId, userId and userInfo', async () => {
        const r = await soap(loginEnvelope('admin@statisfy.test', PASSWORD));
        expect(r.status).toBe(200);
        expect(r.type).toBe('text/xml;charset=UTF-8');
        expect(r.text).toContain(`<serverUrl>${srv.url}/services/Soap/u/60.0/00D5g000004StFy</serverUrl>`);
        expect(r.text).toContain(
            `<metadataServerUrl>${srv.url}/services/Soap/m/60.0/00D5g000004StFy</metadataServerUrl>`
        );
        expect(r.text).toMatch(/<sessionId>00D5g000004StFy![^<]+<\/sessionId>/);
        expect(r.text).toContain(`<userId>${ADMIN_ID}</userId>`);
        expect(r.text).toContain('<passwordExpired>false</passwordExpired>');
        for (const part of [
            `<organizationId>${ORG_ID}</organizationId>`,
            '<organizationName>Statisfy Test Org</organizationName>',
            '<userName>admin@statisfy.test</userName>',
            '<userFullName>Ada Admin</userFullName>',
            '<userEmail>admin@statisfy.test</userEmail>',
            '<userTimeZone>America/Los_Angeles</userTimeZone>',
            `<sessionSecondsValid>${TTL_MS / 1000}</sessionSecondsValid>`
        ]) {
            expect(r.text).toContain(part);
        }
        expect(r.text).toMatch(/<profileId>00e[A-Za-z0-9]{15}<\/profileId>/);
    });

    it('rejects a wrong password with the INVALID_LOGIN fault and HTTP 500', async () => {
        const r = await soap(loginEnvelope('admin@statisfy.test', 'wrong'));
        expect(r.status).toBe(500);
        expect(r.type).toBe('text/xml;charset=UTF-8');
        expect(r.text).toContain('<faultcode>sf:INVALID_LOGIN</faultcode>');
        expect(r.text).toContain(
            '<faultstring>INVALID_LOGIN: Invalid username, password, security token; or user locked out.</faultstring>'
        );
        expect(r.text).toContain('<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>');

        const conn = new jsforce.Connection({ loginUrl: srv.url });
        await expect(conn.login('admin@statisfy.test', 'wrong')).rejects.toThrow(
            'INVALID_LOGIN: Invalid username, password, security token; or user locked out.'
        );
        expect(conn.accessToken).toBeFalsy();
    });

    it('rejects an unknown user and an inactive user with the same fault', async () => {
        const conn = new jsforce.Connection({ loginUrl: srv.url });
        await expect(conn.login('nobody@statisfy.test', PASSWORD)).rejects.toThrow(/^INVALID_LOGIN: Invalid username/);
        srv.users[1].isActive = false;
        await expect(conn.login('integration@statisfy.test', PASSWORD)).rejects.toThrow(
            /^INVALID_LOGIN: Invalid username/
        );
    });

    it('decodes XML entities in credentials', async () => {
        srv.users[0].password = 'a<b&c';
        try {
            const conn = new jsforce.Connection({ loginUrl: srv.url });
            await expect(conn.login('admin@statisfy.test', 'a<b&c')).resolves.toMatchObject({ id: ADMIN_ID });
        } finally {
            srv.users[0].password = PASSWORD;
        }
    });

    it('answers malformed envelopes, unknown operations and bad versions with client faults', async () => {
        const broken = await soap('<se:Envelope><unclosed></se:Envelope>');
        expect(broken.status).toBe(500);
        expect(broken.text).toContain('<faultcode>soapenv:Client</faultcode>');

        const empty = await soap('');
        expect(empty.status).toBe(500);
        expect(empty.text).toContain('<faultstring>Premature end of file.</faultstring>');

        const notSoap = await soap('<hello/>');
        expect(notSoap.text).toContain('The request is not a SOAP envelope');

        const query = await soap(
            '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body><query xmlns="urn:partner.soap.sforce.com"/></se:Body></se:Envelope>'
        );
        expect(query.status).toBe(500);
        expect(query.text).toContain(
            'No operation available for request {urn:partner.soap.sforce.com}query, please check the WSDL for the service.'
        );

        const badVersion = await soap(loginEnvelope('admin@statisfy.test', PASSWORD), '/services/Soap/u/abc');
        expect(badVersion.status).toBe(500);
        expect(badVersion.text).toContain('<faultcode>sf:UNSUPPORTED_API_VERSION</faultcode>');
    });

    it('logs out with conn.logout(): the session stops working, a second logout is INVALID_SESSION_ID', async () => {
        const conn = new jsforce.Connection({ loginUrl: srv.url, version: '60.0' });
        await conn.login('admin@statisfy.test', PASSWORD);
        const token = conn.accessToken!;
        await conn.logout();
        expect(srv.auth.validate(token)).toBeNull();

        const again = await soap(
            '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header>' +
                `<SessionHeader xmlns="urn:partner.soap.sforce.com"><sessionId>${token}</sessionId></SessionHeader>` +
                '</se:Header><se:Body><logout xmlns="urn:partner.soap.sforce.com"/></se:Body></se:Envelope>',
            `/services/Soap/u/60.0/${ORG_ID.slice(0, 15)}`
        );
        expect(again.status).toBe(500);
        expect(again.text).toContain('<faultcode>sf:INVALID_SESSION_ID</faultcode>');
        expect(again.text).toContain(
            '<faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring>'
        );
    });

    it('re-logs in through the SOAP refresh delegate when the session has expired', async () => {
        const conn = new jsforce.Connection({ loginUrl: srv.url, version: '60.0' });
        await conn.login('admin@statisfy.test', PASSWORD);
        const first = conn.accessToken!;
        const refreshed = jest.fn();
        conn.on('refresh', refreshed);
        srv.clock.advance(TTL_MS + 1000);
        expect(srv.auth.validate(first)).toBeNull();
        const who = await conn.request<{ userId: string }>('/services/data/v60.0/whoami');
        expect(who.userId).toBe(ADMIN_ID);
        expect(refreshed).toHaveBeenCalledTimes(1);
        expect(conn.accessToken).not.toBe(first);
    });
});
