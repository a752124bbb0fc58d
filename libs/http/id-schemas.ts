// Ids as requests name them, for the contexts that share them.
import * as z from 'zod';

export const tenantId = z.string().regex(/^ten_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a tenant id (ten_…)');
