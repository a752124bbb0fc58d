// A domain a tenant claims and, once its DNS TXT record is checked, has verified. The SSO context
// owns the claims; sign-in reads them too: SSO may be required for a tenant's verified domains.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity } from 'electrodb';
import { primaryKeys } from './primary-keys.ts';

const service = 'plinth';

export function createDomainEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'domain', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        /** Canonical: lowercase ASCII, no trailing dot (functions/sso/domains.ts). */
        domain: { type: 'string', required: true, readOnly: true },
        status: { type: ['pending', 'verified'] as const, required: true },
        /** Public by design: it is published in the domain's DNS. */
        verificationToken: { type: 'string', required: true, readOnly: true },
        createdAt: { type: 'string', required: true, readOnly: true },
        createdBy: { type: 'string', required: true, readOnly: true },
        verifiedAt: { type: 'string' },
        lastCheckedAt: { type: 'string' },
        /** Why the last check did not verify the claim; removed once it does. */
        lastCheckError: { type: 'string' },
      },
      indexes: {
        byTenant: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: primaryKeys.domain.pk },
          sk: { field: 'sk', casing: 'none', composite: ['domain'], template: primaryKeys.domain.sk },
        },
      },
    },
    { table, client },
  );
}
