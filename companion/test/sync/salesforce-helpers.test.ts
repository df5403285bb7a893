import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { mintAssertion, parseIdentityUrl, sameOrgId, OrgMismatchError } from '../../src/salesforce/connection';
import { bulkUpdateCsv, csvCell, parseBulkError, soqlEscape } from '../../src/salesforce/gateway';
import { PackageNames } from '../../src/salesforce/names';

const keyDir = join(__dirname, '../../../emulator/fixtures/dev-jwt');

describe('PackageNames', () => {
    it('prefixes package names with the org namespace and reads either form', () => {
        const ns = new PackageNames('statisfy');
        expect(ns.n('Sync_Object__c')).toBe('statisfy__Sync_Object__c');
        expect(ns.n('statisfy__Key__c')).toBe('statisfy__Key__c');
        expect(ns.local('statisfy__Field_Mapping__c')).toBe('Field_Mapping__c');
        expect(ns.channel('Record_Change__e')).toBe('/event/statisfy__Record_Change__e');
        expect(ns.isPackageObject('statisfy__Sync_Object__c', 'Sync_Object__c')).toBe(true);
        expect(ns.get({ statisfy__Key__c: 'Account.Name' }, 'Key__c')).toBe('Account.Name');
        const none = new PackageNames('');
        expect(none.n('Sync_Object__c')).toBe('Sync_Object__c');
        expect(none.channel('Sync_Request__e')).toBe('/event/Sync_Request__e');
        expect(none.isPackageObject('Account')).toBe(false);
        expect(() => new PackageNames('bad ns')).toThrow(/Invalid Salesforce namespace/);
    });
});

describe('JWT bearer assertion', () => {
    it('is RS256 with iss = consumer key, sub = username, aud = login URL and exp = now + 180 s', () => {
        const key = readFileSync(join(keyDir, 'server.key'), 'utf8');
        const cert = readFileSync(join(keyDir, 'server.crt'), 'utf8');
        const token = mintAssertion(
            {
                consumerKey: 'statisfy-dev-client',
                username: 'integration@statisfy.test',
                loginUrl: 'http://127.0.0.1:1/'
            },
            key,
            180,
            1_000_000
        );
        const decoded = jwt.verify(token, cert, { algorithms: ['RS256'], ignoreExpiration: true }) as jwt.JwtPayload;
        expect(decoded).toEqual({
            iss: 'statisfy-dev-client',
            sub: 'integration@statisfy.test',
            aud: 'http://127.0.0.1:1',
            exp: 1_000_180
        });
        expect(jwt.decode(token, { complete: true })?.header.alg).toBe('RS256');
        expect(() => mintAssertion({ consumerKey: 'k', username: null, loginUrl: 'x' }, key)).toThrow(/user name/);
    });
});

describe('identity URL and org ids', () => {
    it('reads org and user from the id URL and compares 15/18-character org ids', () => {
        expect(parseIdentityUrl('http://127.0.0.1:4455/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS')).toEqual({
            organizationId: '00Dxx0000001gPLEAY',
            userId: '005xx000001SwiUAAS'
        });
        expect(() => parseIdentityUrl('http://x/id/nope')).toThrow(/does not name an org/);
        expect(() => parseIdentityUrl(undefined)).toThrow(/no identity/);
        expect(sameOrgId('00Dxx0000001gPL', '00Dxx0000001gPLEAY')).toBe(true);
        expect(sameOrgId('00Dxx0000001gPLEAY', '00Dxx0000009999EAY')).toBe(false);
        expect(new OrgMismatchError('o', '00DA', '00DB').message).toMatch(/refreshed sandbox/);
    });
});

describe('Bulk and SOQL text', () => {
    it('builds an update CSV with the union of fields, empty for untouched and #N/A for null', () => {
        const csv = bulkUpdateCsv([
            { objectApiName: 'Account', sfId: '001A', values: { Name: 'A, Inc.', Phone: null }, editIdByField: {} },
            { objectApiName: 'Account', sfId: '001B', values: { Industry: 'Say "hi"' }, editIdByField: {} }
        ]);
        expect(csv).toBe('Id,Name,Phone,Industry\n001A,"A, Inc.",#N/A,\n001B,,,"Say ""hi"""\n');
        expect(csvCell(12.5)).toBe('12.5');
        expect(parseBulkError('FIELD_CUSTOM_VALIDATION_EXCEPTION:Amount must be positive:--')).toEqual({
            statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
            message: 'Amount must be positive'
        });
        expect(soqlEscape("O'Brien\\")).toBe("O\\'Brien\\\\");
    });
});
