// The shape of one catalog entry; each context's events file declares its entries with it.
import type * as z from 'zod';

export interface EventDefinition {
  version: number;
  description: string;
  /** Schema of the event's `data`. */
  schema: z.ZodType;
}
