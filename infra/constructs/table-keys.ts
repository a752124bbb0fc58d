// The keys, indexes and TTL attribute of a TableV2, from a table design in libs/data/design.ts, so
// every Plinth table is built from its design the same way.
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { TableDesign } from '../../libs/data/design.ts';

const key = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

export function tableKeyProps(design: TableDesign) {
  return {
    partitionKey: key(design.partitionKey),
    sortKey: key(design.sortKey),
    globalSecondaryIndexes: design.globalIndexes.map((index) => ({
      indexName: index.name,
      partitionKey: key(index.partitionKey),
      sortKey: key(index.sortKey),
      projectionType: dynamodb.ProjectionType.ALL,
    })),
    timeToLiveAttribute: design.timeToLiveAttribute,
  } satisfies Partial<dynamodb.TablePropsV2>;
}
