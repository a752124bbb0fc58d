// ListUsers' `Filter`: `attribute = "value"` (exact) or `attribute ^= "value"` (prefix), over the
// attributes Cognito lets a filter search; an empty filter matches everyone.
import { CognitoError } from './protocol.ts';
import type { UserRecord } from './state.ts';

const searchable = new Set([
  'username',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'cognito:user_status',
  'status',
  'sub',
]);

/** Usernames and emails compare case-insensitively: the pool's sign-in is not case-sensitive. */
const caseInsensitive = new Set(['username', 'email']);

function valueOf(user: UserRecord, attribute: string): string | undefined {
  switch (attribute) {
    case 'username':
      return user.username;
    case 'cognito:user_status':
      return user.status;
    case 'status':
      return user.enabled ? 'Enabled' : 'Disabled';
    default:
      return user.attributes[attribute];
  }
}

export function compileUserFilter(filter: string | undefined): (user: UserRecord) => boolean {
  if (filter === undefined || filter.trim() === '') return () => true;
  const match = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter);
  if (!match) throw new CognitoError('InvalidParameterException', 'Error while parsing filter.');
  const [, attribute = '', operator, quoted = ''] = match;
  if (!searchable.has(attribute)) {
    throw new CognitoError('InvalidParameterException', `Cannot filter on attribute ${attribute}.`);
  }
  const fold = (value: string) => (caseInsensitive.has(attribute) ? value.toLowerCase() : value);
  const wanted = fold(quoted.replace(/\\(.)/g, '$1'));
  return (user) => {
    const value = valueOf(user, attribute);
    if (value === undefined) return false;
    return operator === '=' ? fold(value) === wanted : fold(value).startsWith(wanted);
  };
}
