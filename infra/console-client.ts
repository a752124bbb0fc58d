// The console's app client as both user pools know it: Cognito's (infra/constructs/plinth-user-pool.ts)
// and the local one's hosted sign-in (infra/local/identity/hosted-ui.ts).

/** The OAuth scopes the console may ask for; `aws.cognito.signin.user.admin` lets it call Cognito's user API. */
export const consoleOAuthScopes = ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'] as const;

/** Where the console runs on one machine (Vite's dev server); its sign-in and sign-out return there. */
export const localConsoleOrigin = 'http://localhost:5173';
