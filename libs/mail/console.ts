// Where links in Plinth's email point: the deployment's console, or the local console on one machine.
import type { DeploymentConfig } from '../config/deployment.ts';

/** The console the local runtime serves (Vite's default port). */
export const localConsoleUrl = 'http://localhost:5173';

export function consoleUrlOf(deployment: Pick<DeploymentConfig, 'domain'>): string {
  const host = deployment.domain?.console;
  return host ? `https://${host}` : localConsoleUrl;
}
