// What the SSO routes are given: the store, the TXT lookup, the runtime config and the cursor codec.
import type { RuntimeConfig } from '../../libs/config/runtime.ts';
import type { CursorCodec } from '../../libs/http/cursor.ts';
import type { TxtLookup } from './domains.ts';
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
}
