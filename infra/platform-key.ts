// `npm run platform-key -- --region <region>`: mints a platform admin API key in a deployed region,
// with the operator's own AWS credentials, and prints it once. Plinth never serves this over HTTP.
import { parseArgs } from 'node:util';
import { parseDeploymentConfig } from '../libs/config/deployment.ts';
import { createPlatformAdminKey } from '../functions/tenants/platform-admin.ts';
import config from './plinth.config.ts';
import { deployedTable } from './deployed-table.ts';
import { directoryTableName, eventBusName } from './stacks/names.ts';

const { values } = parseArgs({
  options: { region: { type: 'string' }, name: { type: 'string', default: 'operator' } },
});
const deployment = parseDeploymentConfig(config);
const { region, tableName } = await deployedTable(deployment, values.region);

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
