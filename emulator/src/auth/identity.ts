import { sfDateTime, standardUtcOffsetMs } from './tokens';
import type { EmulatorUser } from './types';

/** What the identity documents need to know about the org. */
export interface IdentityOrg {
    orgId: string;
    baseUrl: string;
    /** `last_modified_date` / `updated_at` of the user record. */
    lastModified: Date;
    now: Date;
}

function fullName(u: EmulatorUser): string {
    return `${u.firstName} ${u.lastName}`.trim();
}

/** Community nickname Salesforce derives from the username's local part. */
function nickName(u: EmulatorUser): string {
    return u.username.split('@')[0];
}

/**
 * The `urls` block of the identity service. Salesforce leaves `{version}` in them literally for the client
 * to fill in, and uses the 15-character org id in the SOAP endpoints.
 */
export function identityUrls(org: IdentityOrg, userId: string): Record<string, string> {
    const b = org.baseUrl;
    const org15 = org.orgId.slice(0, 15);
    const data = `${b}/services/data/v{version}`;
    return {
        enterprise: `${b}/services/Soap/c/{version}/${org15}`,
        metadata: `${b}/services/Soap/m/{version}/${org15}`,
        partner: `${b}/services/Soap/u/{version}/${org15}`,
        rest: `${data}/`,
        sobjects: `${data}/sobjects/`,
        search: `${data}/search/`,
        query: `${data}/query/`,
        recent: `${data}/recent/`,
        tooling_soap: `${b}/services/Soap/T/{version}/${org15}`,
        tooling_rest: `${data}/tooling/`,
        profile: `${b}/${userId}`,
        feeds: `${data}/chatter/feeds`,
        groups: `${data}/chatter/groups`,
        users: `${data}/chatter/users`,
        feed_items: `${data}/chatter/feed-items`,
        feed_elements: `${data}/chatter/feed-elements`,
        custom_domain: b
    };
}

function photos(org: IdentityOrg, userId: string): { picture: string; thumbnail: string } {
    return {
        picture: `${org.baseUrl}/profilephoto/005/F?userId=${userId}`,
        thumbnail: `${org.baseUrl}/profilephoto/005/T?userId=${userId}`
    };
}

/**
 * The identity document served at `/id/{orgId}/{userId}` (what jsforce's `conn.identity()` returns),
 * with the fields and order Salesforce uses.
 */
export function identityDocument(org: IdentityOrg, user: EmulatorUser, assertedUser: boolean): Record<string, unknown> {
    return {
        id: `${org.baseUrl}/id/${org.orgId}/${user.id}`,
        asserted_user: assertedUser,
        user_id: user.id,
        organization_id: org.orgId,
        username: user.username,
        nick_name: nickName(user),
        display_name: fullName(user),
        email: user.email,
        email_verified: true,
        first_name: user.firstName,
        last_name: user.lastName,
        timezone: user.timeZoneSidKey,
        photos: photos(org, user.id),
        addr_street: null,
        addr_city: null,
        addr_state: null,
        addr_country: null,
        addr_zip: null,
        mobile_phone: null,
        mobile_phone_verified: false,
        is_lightning_login_user: false,
        status: { created_date: null, body: null },
        urls: identityUrls(org, user.id),
        active: user.isActive,
        user_type: 'STANDARD',
        language: 'en_US',
        locale: 'en_US',
        utcOffset: standardUtcOffsetMs(user.timeZoneSidKey, org.now),
        last_modified_date: sfDateTime(org.lastModified),
        is_app_installed: true
    };
}

/** The OpenID Connect document served at `/services/oauth2/userinfo` for the token's user. */
export function userInfoDocument(org: IdentityOrg, user: EmulatorUser): Record<string, unknown> {
    const pics = photos(org, user.id);
    return {
        sub: `${org.baseUrl}/id/${org.orgId}/${user.id}`,
        user_id: user.id,
        organization_id: org.orgId,
        preferred_username: user.username,
        nickname: nickName(user),
        name: fullName(user),
        email: user.email,
        email_verified: true,
        given_name: user.firstName,
        family_name: user.lastName,
        zoneinfo: user.timeZoneSidKey,
        photos: pics,
        profile: `${org.baseUrl}/${user.id}`,
        picture: pics.picture,
        address: {},
        is_salesforce_integration_user: false,
        urls: identityUrls(org, user.id),
        active: user.isActive,
        user_type: 'STANDARD',
        language: 'en_US',
        locale: 'en_US',
        utcOffset: standardUtcOffsetMs(user.timeZoneSidKey, org.now),
        updated_at: org.lastModified.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        is_app_installed: true
    };
}
