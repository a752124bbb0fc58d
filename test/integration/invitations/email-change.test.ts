// A user's email change against a real DynamoDB (Local): the code goes to the new address, and only
// the right code, in time, changes the email in the user pool and the table together.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  maxCodeAttempts,
  maxCodeAttemptsPerHour,
  requestEmailChange,
  verifyEmailChange,
} from '../../../functions/invitations/email-change.ts';
import type { UserItem } from '../../../libs/data/identity-entities.ts';
import {
  createFixture,
  eventTypes,
  mailsTo,
  problemOf,
  seedTenant,
  seedUser,
  userCaller,
  type Fixture,
} from './fixtures.ts';

let fixture: Fixture;

beforeAll(async () => {
  fixture = await createFixture();
});

afterEach(() => fixture.setNow(undefined));

/** A tenant owner who also exists in the user pool, as an accepted invitation leaves them. */
async function poolUser(): Promise<UserItem> {
  const { owner } = await seedTenant(fixture);
  fixture.pool.users.set(owner.userId, {
    userId: owner.userId,
    email: owner.email,
    name: owner.name,
    tenantId: owner.tenantId,
    password: 'x',
    emailVerified: true,
  });
  return owner;
}

async function mailedCode(tenantId: string, to: string): Promise<string> {
  const mails = await mailsTo(fixture, tenantId, to);
  const code = mails
    .at(-1)
    ?.text.split('\n')
    .find((line) => /^[0-9]{6}$/.test(line));
  if (!code) throw new Error(`no code mailed to ${to}`);
  return code;
}

describe('changing email', () => {
  it('mails a code to the new address; the code changes the email in the pool and the table, with user.email_changed', async () => {
    const user = await poolUser();
    const caller = userCaller(user);

    await requestEmailChange(fixture.deps, caller, 'New.Address@Example.test');
    const code = await mailedCode(user.tenantId, 'new.address@example.test');
    const changed = await verifyEmailChange(fixture.deps, caller, code);

    expect(changed.email).toBe('new.address@example.test');
    expect(fixture.pool.users.get(user.userId)).toMatchObject({
      email: 'new.address@example.test',
      emailVerified: true,
    });
    const stored = await fixture.entities.user.get({ tenantId: user.tenantId, userId: user.userId }).go();
    expect(stored.data).toMatchObject({ email: 'new.address@example.test', emailVerified: true });
    expect(await eventTypes(fixture, user.tenantId)).toContain('user.email_changed');
    expect(await mailsTo(fixture, user.tenantId, user.email)).toHaveLength(0);
    expect((await problemOf(verifyEmailChange(fixture.deps, caller, code))).code).toBe(
      'email_change_not_found',
    );
  });

  it('a wrong code changes nothing, and too many wrong codes drop the change', async () => {
    const user = await poolUser();
    const caller = userCaller(user);
    await requestEmailChange(fixture.deps, caller, 'wrong@example.test');
    const code = await mailedCode(user.tenantId, 'wrong@example.test');
    const wrong = code === '000000' ? '111111' : '000000';

    const problems = [];
    for (let i = 0; i < maxCodeAttempts; i += 1)
      problems.push(await problemOf(verifyEmailChange(fixture.deps, caller, wrong)));
    const afterwards = await problemOf(verifyEmailChange(fixture.deps, caller, code));

    expect(problems.map((p) => p.code)).toEqual(Array(maxCodeAttempts).fill('verification_code_invalid'));
    expect(afterwards.code).toBe('email_change_not_found');
    expect(fixture.pool.users.get(user.userId)?.email).toBe(user.email);
  });

  it('codes count per user per hour, across new codes: past the limit even the right code is a 429 until the hour ends', async () => {
    const user = await poolUser();
    const caller = userCaller(user);
    const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    fixture.setNow(new Date(hourStart + 60_000));
    const newCode = async () => {
      await requestEmailChange(fixture.deps, caller, 'brute@example.test');
      return mailedCode(user.tenantId, 'brute@example.test');
    };
    const other = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    const wrong = [];
    let code = '';
    for (let i = 0; i < maxCodeAttemptsPerHour; i += 1) {
      // A new code before each one is dropped for too many wrong tries.
      if (i % (maxCodeAttempts - 1) === 0) code = await newCode();
      wrong.push((await problemOf(verifyEmailChange(fixture.deps, caller, other(code)))).code);
    }
    const right = await newCode();
    const refused = await problemOf(verifyEmailChange(fixture.deps, caller, right));
    fixture.setNow(new Date(hourStart + 3_600_000 + 1000));
    const changed = await verifyEmailChange(fixture.deps, caller, await newCode());

    expect(wrong).toEqual(Array(maxCodeAttemptsPerHour).fill('verification_code_invalid'));
    expect([refused.status, refused.code, refused.headers['retry-after']]).toEqual([
      429,
      'too_many_attempts',
      String(3600 - 60),
    ]);
    expect(changed.email).toBe('brute@example.test');
  });

  it('a code past its 15 minutes is refused with verification_code_expired', async () => {
    const user = await poolUser();
    const caller = userCaller(user);
    await requestEmailChange(fixture.deps, caller, 'slow@example.test');
    const code = await mailedCode(user.tenantId, 'slow@example.test');
    fixture.setNow(new Date(Date.now() + 16 * 60_000));

    expect((await problemOf(verifyEmailChange(fixture.deps, caller, code))).code).toBe(
      'verification_code_expired',
    );
  });

  it("another user's email in the tenant is 409 email_in_use; one's own email is a 400", async () => {
    const user = await poolUser();
    await seedUser(fixture, user.tenantId, { email: 'colleague@example.test' });

    const taken = await problemOf(
      requestEmailChange(fixture.deps, userCaller(user), 'Colleague@example.test'),
    );
    const unchanged = await problemOf(requestEmailChange(fixture.deps, userCaller(user), user.email));

    expect([taken.status, taken.code]).toEqual([409, 'email_in_use']);
    expect(unchanged.errors).toEqual([expect.objectContaining({ path: 'body.email', code: 'unchanged' })]);
  });

  it('an API key cannot change an email: the route acts on a signed-in user', async () => {
    const user = await poolUser();
    const keyCaller = { ...userCaller(user), principalType: 'api_key' as const, principalId: 'key_1' };

    const problem = await problemOf(requestEmailChange(fixture.deps, keyCaller, 'k@example.test'));

    expect([problem.status, problem.code]).toEqual([403, 'user_credential_required']);
  });
});
