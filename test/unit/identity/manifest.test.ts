// The identity context's declarations: valid for the stacks and the local runtime, documented in
// OpenAPI without errors, and MFA-exempt exactly where a user without MFA must still get through.
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { manifest, routes } from '../../../functions/identity/manifest.ts';
import { authorizer } from '../../../functions/manifests.ts';
import { deriveTopology } from '../../../infra/topology.ts';
import { buildOpenApiDocument } from '../../../libs/http/openapi.ts';

describe('identity manifest', () => {
  it('derives a topology: every path segment is one API Gateway accepts, the triggers are functions', () => {
    const topology = deriveTopology([manifest], authorizer);

    expect(topology.resources.map((r) => r.path)).toContain('/users/{userId}/sessions/revoke-all');
    expect(manifest.triggers?.map((t) => t.consumer)).toEqual([
      'preTokenGeneration',
      'preAuthentication',
      'postAuthentication',
      'defineAuthChallenge',
      'createAuthChallenge',
      'verifyAuthChallengeResponse',
    ]);
  });

  it('exempts from the MFA policy only /v1/me, the tenants to move to, and TOTP enrolment', () => {
    expect(manifest.routes.filter((r) => r.mfaExempt === true).map((r) => r.operationId)).toEqual([
      'getMe',
      'startTotpEnrolment',
      'verifyTotpEnrolment',
      'listMyTenants',
    ]);
  });

  it('never keeps the TOTP secret in an idempotency record', () => {
    expect(routes.startTotpEnrolment.idempotent).toBe(false);
  });

  it('generates an OpenAPI document without errors or warnings (bar the licence, as for every context)', async () => {
    const document = buildOpenApiDocument([manifest], { title: 'Plinth API', version: '0.0.0-test' });
    const config = await createConfig({ extends: ['recommended'] });

    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: 'openapi.json',
      config,
    });

    expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`)).toEqual(
      [],
    );
  });
});
