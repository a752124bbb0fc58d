// `npm start`: runs all of Plinth on this machine until Ctrl-C (or SIGTERM, SIGHUP, or the end of
// the process that started it), with its data under .plinth/. `npm start -- --help` lists the options.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { authorizer, contexts } from '../../functions/manifests.ts';
import { watchLaunchers } from './launchers.ts';
import { startLocalPlinth, type LocalPlinth } from './runtime.ts';

const usage = `Usage: npm start [-- <options>]

Runs all of Plinth on this machine until Ctrl-C, SIGTERM or SIGHUP, which stop everything it started.
One runtime per data dir: a second start on the same dir is refused while the first runs.

Options:
  --port <n>          the API's port on 127.0.0.1; 0 picks a free one (default: PORT, else 4000)
  --data-dir <path>   where data persists between runs (default: PLINTH_DATA_DIR, else .plinth)
  --quiet             only warnings and errors on the console
  -h, --help          print this and exit

Environment:
  PORT                   the API's port when --port is absent
  PLINTH_DATA_DIR        the data dir when --data-dir is absent
  PLINTH_LOCAL_REGION    the region to serve, one configured in infra/plinth.config.ts (default: the first)
  POWERTOOLS_LOG_LEVEL   the functions' log level (--quiet makes it WARN unless it is set)
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
                         the AWS SDK's warning about this Node version is off unless it is set
  DEBUG                  any value: a failed start prints its stack

DynamoDB Local needs Java 17 (\`java\` on the PATH).
`;

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
    `  Hosted     ${runtime.identity.hostedUrl}/oauth2/authorize   (the console client's sign-in: ${runtime.identity.consoleClientId}, code + PKCE)`,
    `  SAML IdP   ${runtime.samlIdp.metadataUrl}   (test users: ${runtime.samlIdp.users.map((u) => `${u.email} / ${u.password}`).join(', ')})`,
    `  OIDC IdP   ${runtime.oidcIdp.issuer}   (client ${runtime.oidcIdp.client.clientId} / ${runtime.oidcIdp.client.clientSecret}; test users: ${runtime.oidcIdp.users.map((u) => `${u.email} / ${u.password}`).join(', ')}; one-time code ${runtime.oidcIdp.oneTimeCode} adds MFA)`,
    `  DNS        ${runtime.dns.server}   (TXT records for domain verification: ${dataDir}/dns-records.json)`,
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

function readOptions() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    // parseArgs's own advice is about positional arguments, which npm start takes none of.
    const message = error instanceof Error ? error.message.split('. ')[0] : String(error);
    throw new Error(`${message}; npm start -- --help lists the options`, { cause: error });
  }
}

async function main(): Promise<void> {
  const values = readOptions();
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  // Handlers go in before the start, so a signal during it stops what has started so far.
  const started = startLocalPlinth({
    port: parsePort(values.port ?? process.env.PORT),
    dataDir: values['data-dir'] ?? process.env.PLINTH_DATA_DIR,
    quiet: values.quiet,
    manifests: { contexts, authorizer },
  });

  let stoppingSince: number | undefined;
  const shutdown = (reason: string) => {
    if (stoppingSince !== undefined) {
      // A terminal's Ctrl-C reaches this process twice (directly and relayed by tsx); only a later one insists.
      if (Date.now() - stoppingSince < 1000) return;
      console.error(`${reason} again: exiting without waiting`);
      process.exit(1);
    }
    stoppingSince = Date.now();
    console.log(`\n${reason}: stopping…`);
    started
      .then((runtime) => runtime.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('stopping failed', error);
          process.exit(1);
        },
      );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);
  watchLaunchers(shutdown);

  const runtime = await started;
  if (stoppingSince === undefined) console.log(banner(runtime));
}

main().catch((error: unknown) => {
  console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
  process.exit(1);
});
