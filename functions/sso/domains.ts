// Domain names a tenant may claim, and the DNS TXT record that proves a claim. A domain is stored and
// compared in one form: lowercase ASCII (IDNA) without a trailing dot.
import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { domainToASCII } from 'node:url';
import publicMailDomains from 'email-providers/all.json' with { type: 'json' };
import { parse } from 'tldts';
import { Problem } from '../../libs/http/problem.ts';

/** The label under a claimed domain where its TXT record goes. */
export const verificationLabel = '_plinth-verification';
/** What the TXT record's value starts with; the token follows. */
export const verificationPrefix = 'plinth-domain-verification=';

const publicMail: ReadonlySet<string> = new Set(publicMailDomains);
const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export type DomainRefusal =
  | { code: 'invalid_domain'; message: string }
  | { code: 'public_suffix'; message: string }
  | { code: 'public_mail_domain'; message: string };

/**
 * The canonical form of a domain a tenant wants to claim, or why it cannot be claimed: not a
 * hostname, an IP address, a public suffix (`com`, `co.uk`, `github.io`), or a public mail domain
 * (`gmail.com`), whose addresses belong to the mail provider's users, not to one organisation.
 */
export function canonicalDomain(input: string): { domain: string } | DomainRefusal {
  const trimmed = input.trim().replace(/\.$/, '');
  const ascii = trimmed === '' ? '' : domainToASCII(trimmed.toLowerCase());
  if (ascii === '' || ascii.length > 253 || !ascii.split('.').every((l) => label.test(l))) {
    return { code: 'invalid_domain', message: 'must be a domain name such as example.com' };
  }
  const parsed = parse(ascii, { allowPrivateDomains: true });
  if (parsed.isIp) return { code: 'invalid_domain', message: 'must be a domain name, not an IP address' };
  if (parsed.domain === null) {
    return {
      code: 'public_suffix',
      message: `${ascii} is a public suffix, under which anyone can register; claim a domain below it`,
    };
  }
  if (publicMail.has(ascii)) {
    return {
      code: 'public_mail_domain',
      message: `${ascii} is a public mail domain; claim your organisation's own domain`,
    };
  }
  return { domain: ascii };
}

/** A fresh token for a claim's TXT record: 192 random bits. */
export function verificationToken(): string {
  return randomBytes(24).toString('base64url');
}

export function verificationRecord(domain: string, token: string) {
  return {
    type: 'TXT' as const,
    name: `${verificationLabel}.${domain}`,
    value: `${verificationPrefix}${token}`,
  };
}

/** The TXT records at a name, each record's strings joined as RFC 7208 does for long values. */
export type TxtLookup = (name: string) => Promise<string[]>;

/** Errors a resolver reports when the name or its TXT records do not exist: the claim is unproven. */
const absent = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND', 'ENONAME']);

/**
 * Looks TXT records up through the given DNS servers (`host:port`, on one machine), else the
 * system's. An absent name answers no records; a failing resolver is a 503 the caller may retry.
 */
export function createTxtLookup(servers: readonly string[] = []): TxtLookup {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  return async (name) => {
    try {
      const records = await resolver.resolveTxt(name);
      return records.map((chunks) => chunks.join(''));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (absent.has(code)) return [];
      throw new Problem(503, 'dns_unavailable', `DNS could not be asked for ${name} (${code}); try again.`);
    }
  };
}

export type VerificationOutcome = { verified: true } | { verified: false; reason: string };

/** Whether the domain's TXT records hold the claim's token. */
export async function checkVerification(
  lookup: TxtLookup,
  domain: string,
  token: string,
): Promise<VerificationOutcome> {
  const record = verificationRecord(domain, token);
  const found = await lookup(record.name);
  if (found.includes(record.value)) return { verified: true };
  if (found.length === 0) return { verified: false, reason: `no TXT record was found at ${record.name}` };
  const ours = found.filter((v) => v.startsWith(verificationPrefix)).length;
  return {
    verified: false,
    reason:
      ours > 0
        ? `${record.name} has ${ours} Plinth verification record(s), none with this claim's token`
        : `${record.name} has ${found.length} TXT record(s), none starting with ${verificationPrefix}`,
  };
}
