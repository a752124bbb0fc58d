// Passwords in the local pool: Cognito's default policy, scrypt hashes, and the temporary password
// Cognito makes up when AdminCreateUser is given none.
import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { CognitoError } from './protocol.ts';

/** The symbols Cognito counts as special characters. */
const symbols = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ';

const rules: Array<{ test: (password: string) => boolean; problem: string }> = [
  { test: (p) => p.length >= 8, problem: 'Password not long enough' },
  { test: (p) => p.length <= 256, problem: 'Password is too long' },
  { test: (p) => /[a-z]/.test(p), problem: 'Password must have lowercase characters' },
  { test: (p) => /[A-Z]/.test(p), problem: 'Password must have uppercase characters' },
  { test: (p) => /[0-9]/.test(p), problem: 'Password must have numeric characters' },
  {
    test: (p) => [...p].some((c) => symbols.includes(c) && c !== ' '),
    problem: 'Password must have symbol characters',
  },
  { test: (p) => p.trim() === p, problem: 'Password must not begin or end with a space' },
];

/** Cognito's default password policy: 8 or more characters with upper, lower, digit and symbol. */
export function assertPasswordPolicy(password: string): void {
  const broken = rules.find((rule) => !rule.test(password));
  if (broken) {
    throw new CognitoError(
      'InvalidPasswordException',
      `Password did not conform with policy: ${broken.problem}`,
    );
  }
}

const cost = { N: 16384, r: 8, p: 1 } as const;
const keyLength = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, so the cost can change without breaking stored hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A password that satisfies the policy, for a user created without one. */
export function temporaryPassword(): string {
  const pick = (alphabet: string) => alphabet[randomInt(alphabet.length)]!;
  const body = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x');
  return `${pick('ABCDEFGHJKLMNPQRSTUVWXYZ')}${pick('abcdefghijkmnopqrstuvwxyz')}${pick('23456789')}${pick('!#%+=')}${body}`;
}
