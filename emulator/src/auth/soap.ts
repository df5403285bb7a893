import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { profileIdFor } from './tokens';
import type { EmulatorUser, Session } from './types';

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

/** Salesforce's wording for a failed SOAP login (wrong username or password, or inactive user). */
export const INVALID_LOGIN_MESSAGE = 'Invalid username, password, security token; or user locked out.';

/** A parsed partner-API SOAP request: the operation (first element of the Body) and what it carries. */
export interface SoapRequest {
    operation: string;
    /** The operation element's children, text values as strings. */
    args: Record<string, unknown>;
    /** `SessionHeader.sessionId` from the SOAP header, when present. */
    sessionId: string | undefined;
}

/** A SOAP fault to send with HTTP 500, as Salesforce does for every fault. */
export class SoapFault extends Error {
    constructor(
        /** `sf:INVALID_LOGIN`, `soapenv:Client`, … */
        readonly faultcode: string,
        readonly faultstring: string,
        /** Optional `<detail>` XML (already escaped). */
        readonly detailXml = ''
    ) {
        super(faultstring);
        this.name = 'SoapFault';
    }
}

const parser = new XMLParser({
    removeNSPrefix: true,
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: true,
    processEntities: true
});

function isRecord(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Escapes text for XML element content. */
export function xmlEscape(s: string): string {
    return s.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}

/** Parses a SOAP 1.1 envelope. Throws {@link SoapFault} (`soapenv:Client`) when it is not one. */
export function parseSoapRequest(body: string): SoapRequest {
    if (body.trim() === '') throw new SoapFault('soapenv:Client', 'Premature end of file.');
    const valid = XMLValidator.validate(body);
    if (valid !== true) {
        throw new SoapFault('soapenv:Client', `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
    }
    const doc: unknown = parser.parse(body);
    const envelope = isRecord(doc) ? doc.Envelope : undefined;
    if (!isRecord(envelope)) {
        throw new SoapFault('soapenv:Client', `The request is not a SOAP envelope: expected {${SOAP_ENV}}Envelope`);
    }
    const soapBody = envelope.Body;
    if (!isRecord(soapBody) || Object.keys(soapBody).length === 0) {
        throw new SoapFault('soapenv:Client', 'The SOAP envelope has no Body element with an operation');
    }
    const operation = Object.keys(soapBody)[0];
    const rawArgs = soapBody[operation];
    const header = envelope.Header;
    const sessionHeader = isRecord(header) ? header.SessionHeader : undefined;
    const sessionId = isRecord(sessionHeader) ? sessionHeader.sessionId : undefined;
    return {
        operation,
        args: isRecord(rawArgs) ? rawArgs : {},
        sessionId: typeof sessionId === 'string' ? sessionId : undefined
    };
}

/** What the SOAP login response reports about the org. */
export interface SoapOrgInfo {
    orgId: string;
    orgName: string;
    baseUrl: string;
    apiVersion: string;
    sessionSecondsValid: number;
}

/** The partner API `loginResponse` envelope Salesforce returns for a successful `login()`. */
export function loginResponseXml(session: Session, user: EmulatorUser, org: SoapOrgInfo): string {
    const org15 = org.orgId.slice(0, 15);
    const e = xmlEscape;
    const userInfo = [
        '<accessibilityMode>false</accessibilityMode>',
        '<chatterExternal>false</chatterExternal>',
        '<currencySymbol>$</currencySymbol>',
        '<orgAttachmentFileSizeLimit>5242880</orgAttachmentFileSizeLimit>',
        '<orgDefaultCurrencyIsoCode>USD</orgDefaultCurrencyIsoCode>',
        '<orgDefaultCurrencyLocale>en_US</orgDefaultCurrencyLocale>',
        '<orgDisallowHtmlAttachments>false</orgDisallowHtmlAttachments>',
        '<orgHasPersonAccounts>false</orgHasPersonAccounts>',
        `<organizationId>${e(org.orgId)}</organizationId>`,
        '<organizationMultiCurrency>false</organizationMultiCurrency>',
        `<organizationName>${e(org.orgName)}</organizationName>`,
        `<profileId>${profileIdFor(user.profileName)}</profileId>`,
        '<roleId xsi:nil="true"/>',
        `<sessionSecondsValid>${org.sessionSecondsValid}</sessionSecondsValid>`,
        '<userDefaultCurrencyIsoCode xsi:nil="true"/>',
        `<userEmail>${e(user.email)}</userEmail>`,
        `<userFullName>${e(`${user.firstName} ${user.lastName}`.trim())}</userFullName>`,
        `<userId>${e(user.id)}</userId>`,
        '<userLanguage>en_US</userLanguage>',
        '<userLocale>en_US</userLocale>',
        `<userName>${e(user.username)}</userName>`,
        `<userTimeZone>${e(user.timeZoneSidKey)}</userTimeZone>`,
        '<userType>Standard</userType>',
        '<userUiSkin>Theme3</userUiSkin>'
    ].join('');
    return (
        '<?xml version="1.0" encoding="UTF-8"?>' +
        `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns="urn:partner.soap.sforce.com" ` +
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        '<soapenv:Body><loginResponse><result>' +
        `<metadataServerUrl>${e(org.baseUrl)}/services/Soap/m/${e(org.apiVersion)}/${org15}</metadataServerUrl>` +
        '<passwordExpired>false</passwordExpired>' +
        '<sandbox>false</sandbox>' +
        `<serverUrl>${e(org.baseUrl)}/services/Soap/u/${e(org.apiVersion)}/${org15}</serverUrl>` +
        `<sessionId>${e(session.accessToken)}</sessionId>` +
        `<userId>${e(user.id)}</userId>` +
        `<userInfo>${userInfo}</userInfo>` +
        '</result></loginResponse></soapenv:Body></soapenv:Envelope>'
    );
}

/** The partner API `logoutResponse` envelope. */
export function logoutResponseXml(): string {
    return (
        '<?xml version="1.0" encoding="UTF-8"?>' +
        `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns="urn:partner.soap.sforce.com">` +
        '<soapenv:Body><logoutResponse/></soapenv:Body></soapenv:Envelope>'
    );
}

/** `sf:INVALID_LOGIN` with its `LoginFault` detail, as Salesforce answers a failed `login()`. */
export function invalidLoginFault(): SoapFault {
    return new SoapFault(
        'sf:INVALID_LOGIN',
        `INVALID_LOGIN: ${INVALID_LOGIN_MESSAGE}`,
        '<sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>' +
            `<sf:exceptionMessage>${xmlEscape(INVALID_LOGIN_MESSAGE)}</sf:exceptionMessage></sf:LoginFault>`
    );
}

/** `sf:INVALID_SESSION_ID` for a SOAP call whose SessionHeader is missing or not valid. */
export function invalidSessionFault(): SoapFault {
    const msg = 'Invalid Session ID found in SessionHeader: Illegal Session';
    return new SoapFault(
        'sf:INVALID_SESSION_ID',
        `INVALID_SESSION_ID: ${msg}`,
        '<sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault">' +
            `<sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode><sf:exceptionMessage>${msg}</sf:exceptionMessage>` +
            '</sf:UnexpectedErrorFault>'
    );
}

/** The fault envelope for a {@link SoapFault}. */
export function faultXml(fault: SoapFault): string {
    return (
        '<?xml version="1.0" encoding="UTF-8"?>' +
        `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:sf="urn:fault.partner.soap.sforce.com" ` +
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        '<soapenv:Body><soapenv:Fault>' +
        `<faultcode>${xmlEscape(fault.faultcode)}</faultcode>` +
        `<faultstring>${xmlEscape(fault.faultstring)}</faultstring>` +
        (fault.detailXml ? `<detail>${fault.detailXml}</detail>` : '') +
        '</soapenv:Fault></soapenv:Body></soapenv:Envelope>'
    );
}
