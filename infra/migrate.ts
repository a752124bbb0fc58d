// `npm run migrate -- --region <region>`: brings the items of a deployed region's table up to this
// release (libs/data/migrations.ts), with the operator's own AWS credentials. Safe to run again, and
// while the API serves; run it after `cdk deploy`. `npm start` runs the same migrations at boot.
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseDeploymentConfig } from '../libs/config/deployment.ts';
import { runMigrations } from '../libs/data/migrations.ts';
import { deployedTable } from './deployed-table.ts';
import config from './plinth.config.ts';

const { values } = parseArgs({ options: { region: { type: 'string' } } });
const { region, tableName } = await deployedTable(parseDeploymentConfig(config), values.region);
const client = new DynamoDBClient({ region });
try {
  const results = await runMigrations(client, tableName, (p) =>
    console.log(`${p.migration}: ${p.scanned} items read, ${p.updated} updated`),
  );
  for (const r of results) console.log(`${r.migration}: done, ${r.updated} of ${r.scanned} items updated`);
} finally {
  client.destroy();
}
