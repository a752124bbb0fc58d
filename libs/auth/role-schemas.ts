// How a request names a role: a built-in role name or a tenant's custom role id.
import * as z from 'zod';
import { builtInRoleNames, customRoleIdPattern } from './roles.ts';

export const customRoleId = z.string().regex(customRoleIdPattern, 'must be a custom role id (role_…)');

export const roleId = z
  .union([z.enum(builtInRoleNames), customRoleId])
  .describe('A built-in role name or a custom role id.');
