// A signed-in user changing their email: a six-digit code goes to the NEW address, and only the
// code makes the change (user pool and table together), so nobody can take an address they cannot read.
import type { CallerContext } from '../../libs/auth/caller.ts';
import type { UserItem } from '../../libs/data/identity-entities.ts';
import { Problem, problems } from '../../libs/http/problem.ts';
import { mailItem } from '../../libs/mail/entity.ts';
import { emailVerificationMessage } from '../../libs/mail/templates.ts';
import type { InvitationsDeps } from './context.ts';
import type { EmailChangeItem } from './entities.ts';
import { normalizeEmail } from './policy.ts';
import { generateVerificationCode, hashVerificationCode, verificationCodeMatches } from './tokens.ts';
import { emailInUse } from '../../libs/auth/pool-users.ts';

export const codeValidMinutes = 15;
/** Wrong codes after which the change is dropped and a new code must be asked for. */
export const maxCodeAttempts = 5;
/** Codes a user may enter in one hour, across every code they asked for. */
export const maxCodeAttemptsPerHour = 10;
const hourSeconds = 3600;

type Deps = Pick<InvitationsDeps, 'store' | 'emailChanges' | 'userPool' | 'mailBox' | 'clock'>;

async function signedInUser(deps: Deps, caller: CallerContext): Promise<UserItem> {
  if (caller.kind !== 'tenant' || caller.principalType !== 'user') {
    throw new Problem(
      403,
      'user_credential_required',
      'This call acts on a signed-in user; use a user token.',
    );
  }
  const user = await deps.store.getUser(caller.tenantId, caller.principalId);
  if (!user) throw problems.unauthorized();
  return user;
}

function codeProblem(code: string, detail: string): Problem {
  return new Problem(400, code, detail);
}

export async function requestEmailChange(
  deps: Deps,
  caller: CallerContext,
  newEmail: string,
): Promise<{ email: string; expiresAt: string }> {
  const user = await signedInUser(deps, caller);
  const email = normalizeEmail(newEmail);
  if (email === user.email) {
    throw problems.validation([{ path: 'body.email', code: 'unchanged', message: 'is already your email' }]);
  }
  const [holder, tenant] = await Promise.all([
    deps.store.memberByEmail(user.tenantId, email),
    deps.store.getTenant(user.tenantId),
  ]);
  if (holder) throw emailInUse();
  const now = deps.clock();
  const code = generateVerificationCode();
  const expiresAt = Math.floor(now.getTime() / 1000) + codeValidMinutes * 60;
  const change: EmailChangeItem = {
    tenantId: user.tenantId,
    userId: user.userId,
    email,
    codeHash: hashVerificationCode(user.userId, code),
    attempts: 0,
    createdAt: now.toISOString(),
    expiresAt,
  };
  const content = emailVerificationMessage({
    tenantName: tenant?.name ?? 'Plinth',
    email,
    code,
    validMinutes: codeValidMinutes,
  });
  // A new request replaces any earlier one, whose code stops working.
  await deps.emailChanges.putEmailChange(
    change,
    mailItem({ tenantId: user.tenantId, to: email, ...content }, now, deps.mailBox),
  );
  return { email, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

/**
 * Counts this code against the user's hour, the hour of the clock (so the count needs one item and
 * no read); past the limit the attempt is a 429 until the hour ends, even with the right code.
 */
async function takeCodeAttempt(deps: Deps, user: UserItem, now: Date): Promise<void> {
  const seconds = Math.floor(now.getTime() / 1000);
  const start = seconds - (seconds % hourSeconds);
  const end = start + hourSeconds;
  if (await deps.emailChanges.takeCodeAttempt(user, { start, end }, maxCodeAttemptsPerHour)) return;
  const retryAfter = end - seconds;
  throw new Problem(
    429,
    'too_many_attempts',
    `Too many codes were entered this hour; try again in ${Math.ceil(retryAfter / 60)} minutes.`,
    { headers: { 'retry-after': String(retryAfter) }, extensions: { retryAfterSeconds: retryAfter } },
  );
}

export async function verifyEmailChange(
  deps: Deps,
  caller: CallerContext,
  code: string,
): Promise<{ userId: string; email: string }> {
  const user = await signedInUser(deps, caller);
  const change = await deps.emailChanges.getEmailChange(user.tenantId, user.userId);
  if (!change) {
    throw new Problem(
      404,
      'email_change_not_found',
      'No email change is waiting for a code; ask for one first.',
    );
  }
  const now = deps.clock();
  await takeCodeAttempt(deps, user, now);
  if (change.expiresAt <= Math.floor(now.getTime() / 1000)) {
    await deps.emailChanges.dropEmailChange(change);
    throw codeProblem('verification_code_expired', 'The code has expired; ask for a new one.');
  }
  if (!verificationCodeMatches(user.userId, code, change.codeHash)) {
    if (change.attempts + 1 >= maxCodeAttempts) {
      await deps.emailChanges.dropEmailChange(change);
      throw codeProblem('verification_code_invalid', 'The code is wrong, too many times; ask for a new one.');
    }
    await deps.emailChanges.recordWrongCode(change);
    throw codeProblem('verification_code_invalid', 'The code is wrong.');
  }
  // The pool user's username is its sub, the user's Plinth id.
  await deps.userPool.setEmail(user.userId, change.email);
  try {
    await deps.emailChanges.changeEmail(user, change, now);
  } catch (error) {
    await deps.userPool.setEmail(user.userId, user.email);
    throw error;
  }
  return { userId: user.userId, email: change.email };
}
