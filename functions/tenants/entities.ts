// What the tenants context writes: the shared entities, plus the owner's invitation and its mail,
// which a tenant created with an owner gets in the same transaction.
import { createEntities, type DataTables } from '../../libs/data/entities.ts';
import { mailEntity } from '../../libs/mail/entity.ts';
import { invitationEntity } from '../invitations/entities.ts';

export function createTenantEntities(tables: DataTables) {
  return {
    ...createEntities(tables),
    invitation: invitationEntity(tables.tableName, tables.client),
    mail: mailEntity(tables.tableName, tables.client),
  };
}

export type TenantEntities = ReturnType<typeof createTenantEntities>;
