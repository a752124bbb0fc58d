// The DynamoDB actions behind Plinth's two access levels, granted on a table and its named
// indexes only (never `index/*`), so every grant is as narrow as the key design allows.
import type { TableDesign } from '../../libs/data/design.ts';

export type TableAccess = 'read' | 'readwrite';

const readActions = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const writeActions = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

/** KMS actions DynamoDB needs from a caller of a table encrypted with a customer-managed key. */
const keyReadActions = ['kms:Decrypt', 'kms:DescribeKey'];
const keyWriteActions = [
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

export function tableActions(access: TableAccess): string[] {
  return access === 'readwrite' ? [...readActions, ...writeActions] : [...readActions];
}

export function tableKeyActions(access: TableAccess): string[] {
  return access === 'readwrite' ? [...keyReadActions, ...keyWriteActions] : [...keyReadActions];
}

/** The table's ARN and one ARN per global secondary index of its design. */
export function tableResourceArns(tableArn: string, design: TableDesign): string[] {
  return [tableArn, ...design.globalIndexes.map((index) => `${tableArn}/index/${index.name}`)];
}
