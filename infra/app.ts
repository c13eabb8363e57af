import { App } from 'aws-cdk-lib';
import { PortcullisStack } from './stack.ts';

/**
 * CDK entry (cdk.json: `npx tsx infra/app.ts`; TypeScript 7 has no JS API, so no ts-node,
 * aws-notes §0.2). One stack per tenant: `cdk deploy -c tenant=<id> --parameters …`.
 */
function tenantFromContext(value: unknown): string {
  const tenant = value === undefined ? 'demo' : String(value);
  if (!/^[a-z0-9-]{1,40}$/.test(tenant)) {
    throw new Error(`Portcullis: context "tenant" must be 1-40 characters of a-z, 0-9 and "-", got "${tenant}"`);
  }
  return tenant;
}

const app = new App();
const tenant = tenantFromContext(app.node.tryGetContext('tenant'));
new PortcullisStack(app, `Portcullis-${tenant}`, {
  description: `Portcullis: Auth0-compatible Authentication API, tenant ${tenant}`,
  tags: { 'portcullis:tenant': tenant },
});
