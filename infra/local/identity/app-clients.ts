// The app clients of the local pool and the sign-in flows each allows: the ExplicitAuthFlows the CDK
// gives them, which Cognito checks before anything else in InitiateAuth and AdminInitiateAuth.
import type { AuthCaller } from './auth-requests.ts';
import { assertClient, type LocalPool } from './pool.ts';
import { CognitoError } from './protocol.ts';
import type { PoolState } from './state.ts';

type AppClient = keyof PoolState['clientIds'];
type ExplicitAuthFlow =
  | 'ALLOW_USER_PASSWORD_AUTH'
  | 'ALLOW_USER_SRP_AUTH'
  | 'ALLOW_CUSTOM_AUTH'
  | 'ALLOW_REFRESH_TOKEN_AUTH'
  | 'ALLOW_ADMIN_USER_PASSWORD_AUTH';

/** The ExplicitAuthFlows each app client has in infra/constructs/plinth-user-pool.ts. */
export const clientAuthFlows: Readonly<Record<AppClient, readonly ExplicitAuthFlow[]>> = {
  firstParty: [
    'ALLOW_USER_PASSWORD_AUTH',
    'ALLOW_USER_SRP_AUTH',
    'ALLOW_CUSTOM_AUTH',
    'ALLOW_REFRESH_TOKEN_AUTH',
  ],
  console: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
};

const settingOf: Readonly<Record<string, ExplicitAuthFlow>> = {
  USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
  USER_SRP_AUTH: 'ALLOW_USER_SRP_AUTH',
  CUSTOM_AUTH: 'ALLOW_CUSTOM_AUTH',
  REFRESH_TOKEN_AUTH: 'ALLOW_REFRESH_TOKEN_AUTH',
  REFRESH_TOKEN: 'ALLOW_REFRESH_TOKEN_AUTH',
  ADMIN_USER_PASSWORD_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
};

/** Refuses an AuthFlow the app client does not allow, as Cognito does, before anything else runs. */
export function assertAuthFlow(pool: LocalPool, clientId: string, flow: string, via: AuthCaller): void {
  assertClient(pool, clientId);
  const client = (Object.keys(pool.state.clientIds) as AppClient[]).find(
    (name) => pool.state.clientIds[name] === clientId,
  )!;
  const setting = settingOf[flow];
  if (setting && clientAuthFlows[client].includes(setting)) return;
  throw new CognitoError(
    'InvalidParameterException',
    via === 'admin' ? 'Auth flow not enabled for this client' : `${flow} flow not enabled for this client`,
  );
}
