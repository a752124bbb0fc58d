// The operator's deployment config. Edit it, then `npx cdk deploy --all`.
import { defineConfig } from '../libs/config/deployment.ts';

export default defineConfig({
  name: 'plinth',
  primaryRegion: 'us-east-1',
  regions: [
    { region: 'us-east-1', zone: 'US' },
    { region: 'eu-central-1', zone: 'EU' },
  ],
  defaultPlan: 'starter',
  plans: {
    starter: {
      displayName: 'Starter',
      limits: {
        requestsPerSecond: 10,
        burst: 20,
        monthlyRequests: 1_000_000,
        apiKeys: 5,
        users: 10,
        retentionDays: 7,
      },
    },
    growth: {
      displayName: 'Growth',
      limits: {
        requestsPerSecond: 50,
        burst: 100,
        monthlyRequests: 10_000_000,
        apiKeys: 25,
        users: 250,
        retentionDays: 30,
      },
    },
    enterprise: {
      displayName: 'Enterprise',
      limits: {
        requestsPerSecond: 200,
        burst: 400,
        monthlyRequests: 100_000_000,
        apiKeys: 100,
        users: 10_000,
        retentionDays: 90,
      },
    },
  },
  authorizerCacheSeconds: 60,
});
