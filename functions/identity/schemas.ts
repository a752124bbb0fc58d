// Request and response schemas of the identity context; the OpenAPI document is generated from them.
import * as z from 'zod';
import { tenantPermissions } from '../../libs/auth/permissions.ts';
import { customRoleId, roleId } from '../../libs/auth/role-schemas.ts';

/** A Cognito `sub` (a UUID in Cognito; any id of letters, digits and dashes is accepted). */
export const userId = z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'must be a user id');
/** A session is named by its tokens' origin_jti. */
export const sessionId = z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'must be a session id');
export { customRoleId, roleId };

export const userStatus = z.enum(['active', 'deactivated']);
export const mfaPolicy = z.enum(['off', 'optional', 'required']);
export const ssoPolicy = z
  .enum(['optional', 'required'])
  .describe(
    "`required`: users of the tenant's verified domains sign in through SSO only; password sign-in and password sessions are refused.",
  );

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export const listUsersQuery = pageQuery.extend({
  status: userStatus.optional(),
  role: roleId.optional(),
  emailPrefix: z
    .string()
    .trim()
    .min(1)
    .max(254)
    .transform((p) => p.toLowerCase())
    .optional()
    .describe('Only users whose email starts with this, case-insensitively.'),
});

export const emptyBody = z.strictObject({}).optional();

export const userPathParams = z.strictObject({ userId });
export const sessionPathParams = z.strictObject({ sessionId });
export const userSessionPathParams = z.strictObject({ userId, sessionId });
export const rolePathParams = z.strictObject({ roleId });

const name = z.string().trim().min(1).max(200);

export const user = z
  .strictObject({
    id: userId,
    email: z.email(),
    emailVerified: z.boolean(),
    name: z.string(),
    roles: z.array(z.string()),
    status: userStatus,
    mfaEnrolled: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    lastSignInAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'User' });

export const me = user
  .extend({
    tenantId: z.string(),
    permissions: z.array(z.string()).describe("What the caller's roles allow."),
    mfaRequired: z
      .boolean()
      .describe('True when the tenant requires MFA and this token has none: only MFA enrolment is open.'),
  })
  .meta({ id: 'Me' });

export const membership = z
  .strictObject({
    tenantId: z.string(),
    tenantName: z.string(),
    tenantStatus: z.enum(['active', 'suspended']),
    roles: z.array(z.string()),
    current: z.boolean().describe("True for the tenant of the caller's token."),
  })
  .meta({ id: 'Membership' });

export const memberships = z.strictObject({ items: z.array(membership) }).meta({ id: 'Memberships' });

export const updateMeBody = z.strictObject({ name }).meta({ id: 'UpdateMeRequest' });

export const updateUserBody = z
  .strictObject({
    name: name.optional(),
    roles: z
      .array(roleId)
      .min(1)
      .max(20)
      .refine((r) => new Set(r).size === r.length, 'must not repeat a role')
      .optional(),
  })
  .refine((b) => b.name !== undefined || b.roles !== undefined, { message: 'name or roles is required' })
  .meta({ id: 'UpdateUserRequest' });

export const totpEnrolment = z
  .strictObject({
    secretCode: z.string().describe('The TOTP secret (base32), for an authenticator app.'),
    otpauthUri: z.string().describe('The same secret as an otpauth:// URI, for a QR code.'),
  })
  .meta({ id: 'TotpEnrolment' });

export const verifyTotpBody = z
  .strictObject({
    code: z.string().regex(/^\d{6}$/, 'must be the 6-digit code from the authenticator app'),
    deviceName: z.string().trim().min(1).max(100).optional(),
  })
  .meta({ id: 'VerifyTotpRequest' });

export const totpVerified = z
  .strictObject({
    mfaEnrolled: z.literal(true),
    detail: z.string().describe('What to do next: sign in again to get a token issued with MFA.'),
  })
  .meta({ id: 'TotpVerified' });

export const session = z
  .strictObject({
    id: sessionId,
    userId,
    userAgent: z.string(),
    ip: z.string(),
    startedAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime(),
    current: z.boolean().describe("Whether this is the session of the caller's own token."),
    signIn: z
      .strictObject({
        method: z.literal('sso'),
        connectionId: z.string(),
        mfa: z.boolean().describe('Whether the IdP reported a second factor'),
      })
      .optional()
      .describe('Set when the session began with SSO: through which connection, and with MFA or not.'),
  })
  .meta({ id: 'Session' });

export const revokedSessions = z
  .strictObject({ revoked: z.number().int().describe('Sessions that were active and are now revoked.') })
  .meta({ id: 'RevokedSessions' });

const permission = z.enum(tenantPermissions);

export const role = z
  .strictObject({
    id: roleId,
    name: z.string(),
    description: z.string().optional(),
    permissions: z.array(z.string()),
    builtIn: z.boolean(),
    createdAt: z.iso.datetime().optional(),
    updatedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'Role' });

const permissions = z
  .array(permission)
  .min(1)
  .max(tenantPermissions.length)
  .refine((p) => new Set(p).size === p.length, 'must not repeat a permission');

export const createRoleBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(500).optional(),
    permissions,
  })
  .meta({ id: 'CreateRoleRequest' });

export const updateRoleBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().trim().max(500).optional(),
    permissions: permissions.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'name, description or permissions is required',
  })
  .meta({ id: 'UpdateRoleRequest' });

export const identitySettings = z
  .strictObject({
    mfaPolicy,
    mfaGraceDays: z.number().int().min(0),
    mfaRequiredSince: z.iso.datetime().optional(),
    invitationExpiryDays: z.number().int().min(1),
    ssoPolicy,
    updatedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'IdentitySettings' });

export const updateIdentitySettingsBody = z
  .strictObject({
    mfaPolicy: mfaPolicy.optional(),
    mfaGraceDays: z.number().int().min(0).max(90).optional(),
    invitationExpiryDays: z.number().int().min(1).max(90).optional(),
    ssoPolicy: ssoPolicy.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'mfaPolicy, mfaGraceDays, invitationExpiryDays or ssoPolicy is required',
  })
  .meta({ id: 'UpdateIdentitySettingsRequest' });

export function page<T extends z.ZodType>(item: T, id: string) {
  return z.strictObject({ items: z.array(item), nextCursor: z.string().optional() }).meta({ id });
}
