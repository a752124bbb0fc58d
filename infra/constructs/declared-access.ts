// Turns a manifest's access declaration into IAM grants and the environment variables that name
// what was granted. Every grant is as narrow as the service allows; nothing is granted that the
// declaration does not ask for.
import { Stack } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { DeploymentKey } from '../../libs/config/keys.ts';
import type { AccessDeclaration } from '../../libs/manifest/types.ts';
import type { EventDestinationRole } from './event-destination-role.ts';
import type { OneTimeSchedules } from './one-time-schedules.ts';
import type { PlinthTable } from './plinth-table.ts';
import { TenantDirectory } from './tenant-directory.ts';
import { acknowledgeWildcardResource } from './wildcard-findings.ts';
import { declaredVariables } from '../function-environment.ts';

/** The regional resources a function may be granted, and whose names it is told. */
export interface RegionalResources {
  readonly deployment: DeploymentConfig;
  readonly table: PlinthTable;
  /** Physical name of the tenant directory; its replica in this stack's region is the one used. */
  readonly directoryTableName: string;
  readonly bus: events.IEventBus;
  /** Work queues by their declared name. */
  readonly queues: ReadonlyMap<string, sqs.IQueue>;
  /** The dead-letter queue of each work queue, by the work queue's declared name. */
  readonly deadLetterQueues: ReadonlyMap<string, sqs.IQueue>;
  /** The deployment keys (libs/config/keys.ts), each a secret. */
  readonly keys: Readonly<Record<DeploymentKey, secretsmanager.ISecret>>;
  readonly schedules: OneTimeSchedules;
  readonly eventDestinations: EventDestinationRole;
  /**
   * The region's user pool and its app client ids (first-party client first).
   * @default - none; a function that declares `userPool` access cannot be built (the pool's own
   * triggers, which would make the pool and the function reference each other)
   */
  readonly userPool?: { readonly pool: cognito.IUserPool; readonly clientIds: readonly string[] };
}

/** The Cognito admin operations Plinth performs on the pool: user management and SSO's custom sign-in. */
export const userPoolAdminActions = [
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminDeleteUser',
  'cognito-idp:AdminDisableUser',
  'cognito-idp:AdminEnableUser',
  'cognito-idp:AdminGetUser',
  'cognito-idp:AdminInitiateAuth',
  'cognito-idp:AdminRespondToAuthChallenge',
  'cognito-idp:AdminSetUserMFAPreference',
  'cognito-idp:AdminSetUserPassword',
  'cognito-idp:AdminUpdateUserAttributes',
  'cognito-idp:AdminUserGlobalSignOut',
  'cognito-idp:ListUsers',
];

/** `Plinth <no-reply@example.com>` or `no-reply@example.com` → the address and its domain. */
export function mailSender(mailFrom: string): { address: string; domain: string } {
  const address = (/<([^<>\s]+@[^<>\s]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom).trim().toLowerCase();
  const domain = /^[^@\s]+@([^@\s]+\.[^@\s]+)$/.exec(address)?.[1];
  if (!domain) throw new Error(`mailFrom "${mailFrom}" has no email address SES could send from`);
  return { address, domain };
}

function found<T>(value: T | undefined, context: string, what: string): T {
  if (value === undefined) throw new Error(`context ${context}: no ${what} in this stack`);
  return value;
}

/** Grants what `access` declares to `grantee`, and returns the variables that name it. */
export function grantDeclaredAccess(
  grantee: iam.IGrantable & IConstruct,
  context: string,
  access: AccessDeclaration,
  resources: RegionalResources,
): Record<string, string> {
  const stack = Stack.of(grantee);

  if (access.table) resources.table.grantData(grantee, access.table);
  if (access.directory) TenantDirectory.grantReplica(grantee, resources.directoryTableName, access.directory);
  if (access.bus === 'put') resources.bus.grantPutEventsTo(grantee);

  for (const q of access.queues ?? []) {
    const queue = found(resources.queues.get(q.name), context, `queue named "${q.name}"`);
    if (q.access === 'send') {
      queue.grantSendMessages(grantee);
    } else {
      queue.grantConsumeMessages(grantee);
      found(resources.deadLetterQueues.get(q.name), context, `DLQ of queue "${q.name}"`).grantSendMessages(
        grantee,
      );
    }
  }

  for (const name of access.keys ?? []) resources.keys[name].grantRead(grantee);
  if (access.scheduler) resources.schedules.grantManage(grantee);

  if (access.mail) {
    const sender = mailSender(resources.deployment.mailFrom);
    // SES authorizes a send against the sender's verified identity: the address or its domain.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [sender.address, sender.domain].map((identity) =>
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
        ),
        conditions: { StringEquals: { 'ses:FromAddress': sender.address } },
      }),
    );
  }

  if (access.userPool) {
    const { pool } = found(resources.userPool, context, 'user pool it may reference');
    // Verifying tokens needs only the pool's public keys; admin work needs the named operations.
    if (access.userPool === 'admin') pool.grant(grantee, ...userPoolAdminActions);
  }

  if (access.eventDestinations) {
    const destinations = resources.eventDestinations;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutRule', 'events:RemoveTargets', 'events:DeleteRule', 'events:DescribeRule'],
        resources: [destinations.ruleArns],
      }),
    );
    // Targets only in the residency zone, as the role's own policy also insists.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutTargets'],
        resources: [destinations.ruleArns],
        conditions: { ArnLike: { 'events:TargetArn': destinations.targetBusArns } },
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [destinations.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
      }),
    );
    acknowledgeWildcardResource(
      grantee,
      destinations.ruleArns,
      "Destination rules are created at run time, one per tenant destination; the grant covers the Plinth bus's rules with the destination prefix.",
    );
  }

  return declaredVariables(access, {
    queue: (name) => {
      const queue = found(resources.queues.get(name), context, `queue named "${name}"`);
      const dlq = resources.deadLetterQueues.get(name);
      return { url: queue.queueUrl, arn: queue.queueArn, deadLetterUrl: dlq?.queueUrl ?? '' };
    },
    key: (name) => ({ arn: resources.keys[name].secretArn }),
    scheduler: () => ({
      groupName: resources.schedules.scheduleGroupName,
      roleArn: resources.schedules.role.roleArn,
    }),
    mailFrom: () => resources.deployment.mailFrom,
    userPool: () => {
      const { pool, clientIds } = found(resources.userPool, context, 'user pool it may reference');
      return { id: pool.userPoolId, clientIds };
    },
    eventDestinations: () => ({
      roleArn: resources.eventDestinations.role.roleArn,
      deadLetterArn: resources.eventDestinations.deadLetters.queue.queueArn,
    }),
  });
}
