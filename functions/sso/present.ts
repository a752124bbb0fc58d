// The API's view of the SSO context's items.
import { verificationRecord } from './domains.ts';
import type { DomainItem } from './entities.ts';

export function domainResource(item: DomainItem) {
  return {
    domain: item.domain,
    status: item.status,
    verification: verificationRecord(item.domain, item.verificationToken),
    createdAt: item.createdAt,
    ...(item.verifiedAt ? { verifiedAt: item.verifiedAt } : {}),
    ...(item.lastCheckedAt ? { lastCheckedAt: item.lastCheckedAt } : {}),
    ...(item.lastCheckError ? { lastCheckError: item.lastCheckError } : {}),
  };
}
