// The local runtime's own console output: one short line per thing that happened, errors with their
// stack. `quiet` keeps only warnings and errors, for tests that start a whole runtime.
export interface LocalLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export function createLocalLog(options: { quiet?: boolean; prefix?: string } = {}): LocalLog {
  const prefix = options.prefix ? `[${options.prefix}] ` : '';
  return {
    info: (message) => {
      if (!options.quiet) console.log(`${prefix}${message}`);
    },
    warn: (message) => console.warn(`${prefix}${message}`),
    error: (message, error) =>
      console.error(`${prefix}${message}${error === undefined ? '' : `\n${describe(error)}`}`),
  };
}

/** For tests that assert on behaviour, not on console output. */
export const silentLog: LocalLog = { info: () => {}, warn: () => {}, error: () => {} };
