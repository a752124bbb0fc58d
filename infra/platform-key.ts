// `npm run platform-key -- --region <region>`: mints a platform admin API key in a deployed region,
// with the operator's own AWS credentials, and prints it once. Plinth never serves this over HTTP.
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { parseDeploymentConfig } from '../libs/config/deployment.ts';
import { createPlatformAdminKey } from '../functions/tenants/platform-admin.ts';
import config from './plinth.config.ts';
import { directoryTableName, eventBusName, stackNames } from './stacks/names.ts';

const { values } = parseArgs({
  options: { region: { type: 'string' }, name: { type: 'string', default: 'operator' } },
});
const deployment = parseDeploymentConfig(config);
const region = values.region ?? deployment.primaryRegion;
if (!deployment.regions.some((r) => r.region === region)) {
  console.error(
    `--region ${region} is not a configured region (${deployment.regions.map((r) => r.region).join(', ')})`,
  );
  process.exit(2);
}

const stackName = stackNames.data(deployment, region);
const cloudFormation = new CloudFormationClient({ region });
const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
const tableName = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'TableName')?.OutputValue;
if (!tableName) {
  console.error(`stack ${stackName} has no TableName output; deploy it first with \`npx cdk deploy --all\``);
  process.exit(1);
}

const key = await createPlatformAdminKey(
  { name: values.name },
  {
    deployment,
    region,
    tableName,
    directoryTableName: directoryTableName(deployment),
    eventBusName: eventBusName(deployment),
    jobsQueueUrl: undefined,
    local: false,
  },
);
console.log(
  `Platform admin key ${key.id} for ${region} (shown once; store it in a secret manager):\n${key.secret}`,
);
