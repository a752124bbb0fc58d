// The physical key design of Plinth's two tables. The CDK constructs and the local runtime create
// tables from this; entities (ElectroDB) map access patterns onto it.
export interface TableDesign {
  partitionKey: string;
  sortKey: string;
  globalIndexes: ReadonlyArray<{ name: string; partitionKey: string; sortKey: string }>;
  /** Attribute holding an epoch-seconds expiry, for DynamoDB TTL. */
  timeToLiveAttribute: string;
}

/** The regional table: every tenant-owned item's partition key starts with the tenant id. */
export const mainTable: TableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
  globalIndexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  timeToLiveAttribute: 'expiresAt',
};

/** The global tenant directory: tenant id, slug, home region and status; no personal data. */
export const directoryTable: TableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
  globalIndexes: [],
  timeToLiveAttribute: 'expiresAt',
};
