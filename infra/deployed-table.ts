// The main table of a deployed region, for the operator's scripts (platform-key, migrate): the
// region must be configured and its data stack deployed; otherwise the script stops and says why.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { DeploymentConfig } from '../libs/config/deployment.ts';
import { stackNames } from './stacks/names.ts';

export async function deployedTable(
  deployment: DeploymentConfig,
  requested: string | undefined,
): Promise<{ region: string; tableName: string }> {
  const region = requested ?? deployment.primaryRegion;
  if (!deployment.regions.some((r) => r.region === region)) {
    console.error(
      `--region ${region} is not a configured region (${deployment.regions.map((r) => r.region).join(', ')})`,
    );
    process.exit(2);
  }
  const stackName = stackNames.data(deployment, region);
  const cloudFormation = new CloudFormationClient({ region });
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const tableName = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'TableName')?.OutputValue;
    if (!tableName) {
      console.error(
        `stack ${stackName} has no TableName output; deploy it first with \`npx cdk deploy --all\``,
      );
      process.exit(1);
    }
    return { region, tableName };
  } finally {
    cloudFormation.destroy();
  }
}
