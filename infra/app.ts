// The CDK app (`cdk synth`, `cdk deploy`): validates the operator's config, bundles every handler
// once, and defines the global stack plus a data and an API stack per configured region.
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { authorizer, contexts } from '../functions/manifests.ts';
import { parseDeploymentConfig } from '../libs/config/deployment.ts';
import { BundledHandlers } from './bundle.ts';
import config from './plinth.config.ts';
import { addPlinthChecks, addPlinthStacks, plinthFeatureFlags } from './stacks/plinth.ts';
import { deriveTopology } from './topology.ts';

const deployment = parseDeploymentConfig(config);
const topology = deriveTopology(contexts, authorizer);
const code = BundledHandlers.build(topology.bundles, {
  rootDir: fileURLToPath(new URL('..', import.meta.url)),
});

const app = new App({ context: plinthFeatureFlags });
addPlinthStacks(app, {
  deployment,
  topology,
  code,
  ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
});
addPlinthChecks(app, deployment);
app.synth();
