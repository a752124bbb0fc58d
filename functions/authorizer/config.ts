// The authorizer's environment, parsed once at cold start. It needs only its region and table, so
// it parses just those (with zod's small build) instead of the whole deployment config.
import * as z from 'zod/mini';

const envSchema = z.object({
  PLINTH_REGION: z.string().check(z.minLength(1)),
  TABLE_NAME: z.string().check(z.minLength(1)),
});

export interface AuthorizerConfig {
  region: string;
  tableName: string;
}

export function loadAuthorizerConfig(env: NodeJS.ProcessEnv = process.env): AuthorizerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`invalid authorizer environment: missing or empty ${fields}`);
  }
  return { region: parsed.data.PLINTH_REGION, tableName: parsed.data.TABLE_NAME };
}
