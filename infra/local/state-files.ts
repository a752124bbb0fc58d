// Small JSON files under the data dir (.plinth/): written atomically, so a crash mid-write never
// leaves a half file that the next start cannot read, and read back through a zod schema.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type * as z from 'zod';

export function writeJsonFile(file: string, value: unknown, options: { mode?: number } = {}): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: options.mode ?? 0o644 });
  renameSync(temporary, file);
}

/** The file's content, or undefined when it does not exist; a file that fails the schema is an error. */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S): z.output<S> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON; fix or delete it`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${file} has an unexpected shape; fix or delete it: ${parsed.error.message}`);
  return parsed.data;
}
