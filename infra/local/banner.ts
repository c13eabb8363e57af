import { join } from 'node:path';
import type { ApplyReport } from '../tenant/apply.ts';
import type { DemoCredentials } from './demo-tenant.ts';

/** What `npm start` prints once it is ready: where it is, and how to get a first token. */
export function printBanner(info: {
  port: number;
  mtlsPort: number | undefined;
  issuer: string;
  dataDir: string;
  inMemory: boolean;
  report: ApplyReport;
  demo: DemoCredentials | undefined;
  demoAudience: string;
  demoAppOrigin: string;
}): void {
  const base = `http://127.0.0.1:${info.port}`;
  const lines = [
    `Portcullis is running at ${base}/ (issuer ${info.issuer})`,
    ...(info.mtlsPort ? [`mTLS API at https://127.0.0.1:${info.mtlsPort}/`] : []),
    `Data: ${info.inMemory ? 'in memory (gone when stopped)' : info.dataDir}; files for people in ${info.dataDir}`,
    // shared/mail and shared/sms append here when no SES/SNS is configured (the local server).
    `Emails and SMS (codes, magic links, password resets): ${join(info.dataDir, 'outbox.jsonl')}, one JSON object per line`,
  ];
  if (info.demo) {
    const body = JSON.stringify({
      grant_type: 'client_credentials',
      client_id: info.demo.client_id,
      client_secret: info.demo.client_secret,
      audience: info.demoAudience,
    });
    const passwordlessStart = JSON.stringify({ client_id: info.demo.client_id, client_secret: info.demo.client_secret, connection: 'email', email: 'you@example.com', send: 'code' });
    const passwordlessToken = JSON.stringify({
      grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp',
      client_id: info.demo.client_id,
      client_secret: info.demo.client_secret,
      realm: 'email',
      username: 'you@example.com',
      otp: '<code from the outbox>',
      scope: 'openid email',
    });
    lines.push(
      '',
      'Demo tenant:',
      `  client_id      ${info.demo.client_id}`,
      `  client_secret  ${info.demo.client_secret}`,
      `  audience       ${info.demoAudience}`,
      `  user           ${info.demo.user_email} / ${info.demo.user_password}`,
      '',
      'Get a token:',
      `  curl -s ${base}/oauth/token -H 'content-type: application/json' -d '${body}'`,
      '',
      `Log in as the demo user in a browser (public client demo-spa, PKCE; callbacks on ${info.demoAppOrigin}):`,
      `  ${base}/authorize?response_type=code&client_id=demo-spa&redirect_uri=${encodeURIComponent(`${info.demoAppOrigin}/callback`)}` +
        '&scope=openid%20profile%20email&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256',
      '  (the code it sends to the callback redeems with code_verifier dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk)',
      '',
      'Log in without a password (connections email and sms; the code is in the outbox):',
      `  curl -s ${base}/passwordless/start -H 'content-type: application/json' -d '${passwordlessStart}'`,
      `  curl -s ${base}/oauth/token -H 'content-type: application/json' -d '${passwordlessToken}'`,
    );
  } else {
    const shown = info.report.clients.filter((c) => c.client_secret);
    if (shown.length > 0) {
      lines.push('', 'Generated client secrets (shown once, stored hashed):');
      for (const c of shown) lines.push(`  ${c.name}: client_id ${c.client_id}  client_secret ${c.client_secret}`);
    }
  }
  lines.push('', 'Press Ctrl+C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);
}
