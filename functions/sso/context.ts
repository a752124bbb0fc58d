// What the SSO routes are given: the store, the TXT lookup, the runtime config, the cursor codec, and
// for OIDC connections the box that seals client secrets and the guarded way to providers (which
// also fetches SAML metadata URLs).
import type { RuntimeConfig } from '../../libs/config/runtime.ts';
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import type { CursorCodec } from '../../libs/http/cursor.ts';
import type { TxtLookup } from './domains.ts';
import type { OidcTransport } from './oidc.ts';
import type { SsoStore } from './store.ts';

export interface SsoDeps {
  store: SsoStore;
  lookupTxt: TxtLookup;
  runtime: RuntimeConfig;
  cursors: CursorCodec;
  /** How many domains one tenant may claim: Cognito accepts 50 identifiers per identity provider. */
  maxDomainsPerTenant: number;
  /** How many SSO connections one tenant may have. */
  maxConnectionsPerTenant: number;
  /** Seals OIDC client secrets with the deployment's `ssoSecret` key. */
  secretBox: SecretBox;
  oidcTransport: OidcTransport;
}
