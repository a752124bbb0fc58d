// The SSO functions' environment: DNS servers may be named on one machine only.
import { describe, expect, it } from 'vitest';
import { loadSsoConfig } from '../../../functions/sso/config.ts';
import { functionEnv } from '../../support/function-env.ts';

describe('sso config', () => {
  it('uses the system resolver unless DNS servers are named', () => {
    expect(loadSsoConfig(functionEnv()).dnsServers).toEqual([]);
  });

  it('takes DNS servers on one machine', () => {
    const env = functionEnv({ PLINTH_LOCAL: 'true', DNS_SERVERS: '127.0.0.1:5353,127.0.0.1:5354' });
    expect(loadSsoConfig(env).dnsServers).toEqual(['127.0.0.1:5353', '127.0.0.1:5354']);
  });

  it('refuses DNS servers anywhere else, so nobody points verification at a resolver they run', () => {
    expect(() => loadSsoConfig(functionEnv({ DNS_SERVERS: '10.0.0.2:53' }))).toThrow(
      /DNS_SERVERS is honoured on one machine only/,
    );
  });
});
