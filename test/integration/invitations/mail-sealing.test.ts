// What the table (and so its stream and backups) holds of the mails that carry secrets: the raw
// items, read past the entity, contain neither the invitation token nor the verification code.
import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requestEmailChange } from '../../../functions/invitations/email-change.ts';
import { invite, resend } from '../../../functions/invitations/invitations.ts';
import { createFixture, mailedToken, mailsTo, seedTenant, userCaller, type Fixture } from './fixtures.ts';

let fixture: Fixture;

beforeAll(async () => {
  fixture = await createFixture();
});

afterEach(() => fixture.setNow(undefined));

/** Every mail item of the tenant as DynamoDB stores it, attribute values and all. */
async function rawMailItems(tenantId: string): Promise<Array<Record<string, AttributeValue>>> {
  const { Items } = await fixture.tables.client.send(
    new QueryCommand({
      TableName: fixture.tables.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :mail)',
      ExpressionAttributeValues: { ':pk': { S: `T#${tenantId}` }, ':mail': { S: 'MAIL#' } },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

describe('mail items that carry secrets', () => {
  it('keep the invitation token out of the stored item, first sent and resent alike', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const invitation = await invite(fixture.deps, ownerCaller, {
      email: 'sealed@example.test',
      roles: ['member'],
    });
    const first = await mailedToken(fixture, tenantId, 'sealed@example.test');
    await resend(fixture.deps, ownerCaller, invitation.invitationId);
    const tokens = (await mailsTo(fixture, tenantId, 'sealed@example.test')).map(
      (m) => /^pit_[A-Za-z0-9_-]{43}$/m.exec(m.text)?.[0],
    );

    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(first);
    const stored = JSON.stringify(await rawMailItems(tenantId));
    expect(stored).toContain('sealed@example.test');
    for (const token of tokens) {
      expect(token).toBeDefined();
      expect(stored).not.toContain(token!);
      expect(stored).not.toContain(encodeURIComponent(token!));
    }
  });

  it('keep the email verification code out of the stored item', async () => {
    const { tenantId, owner } = await seedTenant(fixture);
    fixture.pool.users.set(owner.userId, {
      userId: owner.userId,
      email: owner.email,
      name: owner.name,
      tenantId,
      password: 'x',
      emailVerified: true,
    });
    await requestEmailChange(fixture.deps, userCaller(owner), 'code-sealed@example.test');
    const [mail] = await mailsTo(fixture, tenantId, 'code-sealed@example.test');
    const code = mail?.text.split('\n').find((line) => /^[0-9]{6}$/.test(line));

    expect(code).toBeDefined();
    const [stored] = await rawMailItems(tenantId);
    expect(Object.keys(stored ?? {})).not.toContain('text');
    expect(JSON.stringify(stored)).not.toContain(code!);
    expect(JSON.stringify(stored)).not.toContain('verification code');
  });
});
