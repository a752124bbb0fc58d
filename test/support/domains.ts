// A domain claim as the SSO context stores it once its TXT record has been checked.
export function verifiedDomainItem(tenantId: string, domain: string) {
  return {
    tenantId,
    domain,
    status: 'verified' as const,
    verificationToken: 't',
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'test',
  };
}
