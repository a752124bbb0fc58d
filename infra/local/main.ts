// `npm start`: runs all of Plinth on this machine until Ctrl-C, with its data under .plinth/.
// Options: --port <n> (or PORT, default 4000), --data-dir <path> (or PLINTH_DATA_DIR), --quiet.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { authorizer, contexts } from '../../functions/manifests.ts';
import { startLocalPlinth, type LocalPlinth } from './runtime.ts';

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`"${raw}" is not a port number`);
  return port;
}

function banner(runtime: LocalPlinth): string {
  const dataDir = relative(process.cwd(), runtime.dataDir) || '.';
  return [
    '',
    `  Plinth is running on this machine (region ${runtime.region}).`,
    '',
    `  API        ${runtime.apiUrl}   (every path starts with /v1)`,
    `  Admin key  ${runtime.adminApiKey}`,
    `  Mail       ${runtime.apiUrl}/local/mail   (every email sent, newest first; ?to=<address> filters)`,
    `  Sign-in    ${runtime.identity.endpoint}   (Cognito API: user pool ${runtime.identity.userPoolId}, client ${runtime.identity.clientId})`,
    `  Data       ${dataDir}/   (details in ${dataDir}/local.json)`,
    '',
    '  Try:',
    `    curl -s ${runtime.apiUrl}/v1/platform/tenants -H "authorization: Bearer ${runtime.adminApiKey}"`,
    `    curl -s ${runtime.apiUrl}/v1/openapi.json`,
    '',
    '  Ctrl-C stops everything.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const runtime = await startLocalPlinth({
    port: parsePort(values.port ?? process.env.PORT),
    dataDir: values['data-dir'] ?? process.env.PLINTH_DATA_DIR,
    quiet: values.quiet,
    manifests: { contexts, authorizer },
  });
  console.log(banner(runtime));

  let stoppingSince: number | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // A terminal's Ctrl-C reaches this process twice (directly and relayed by tsx); only a later one insists.
      if (Date.now() - stoppingSince < 1000) return;
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stoppingSince = Date.now();
    console.log(`\n${signal}: stopping…`);
    runtime.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('stopping failed', error);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);
}

main().catch((error: unknown) => {
  console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
  process.exit(1);
});
