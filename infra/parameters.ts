import { Aws, CfnCondition, CfnParameter, Fn, Stack, Token } from 'aws-cdk-lib';

/**
 * Every CloudFormation parameter of the stack, in one place: this is the deploy contract
 * (`cdk deploy -c tenant=<id> --parameters DomainName=… …`). Per-installation values are
 * parameters and structure is code, so one synthesized template serves every installation
 * (aws-notes §2.1). Logical ids are a public interface: never rename them.
 */
export interface DeployParameters {
  readonly domainName: string;
  readonly mtlsDomainName: string;
  readonly certificateArn: string;
  readonly truststoreBucket: string;
  readonly truststoreKey: string;
  /** The truststore object version, or `AWS::NoValue` when the parameter is left empty. */
  readonly truststoreVersion: string;
  readonly wafRateLimitPer5Min: number;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly alarmEmail: string;
  readonly logLevel: string;
  readonly keyRotationDays: number;
  /** An EventBridge `rate(…)` expression built from KeyRotationDays. */
  readonly keyRotationSchedule: string;
  /** ConfigCacheSeconds in milliseconds, as the functions read it (CONFIG_CACHE_MS). */
  readonly configCacheMs: string;
  /** The From address of every email (SES_FROM_ADDRESS), a verified SES identity or under one. */
  readonly senderEmail: string;
  /** The SES domain identity covering SenderEmail: SenderIdentityDomain, or SenderEmail's own domain. */
  readonly senderDomain: string;
  /** The SNS sender ID of SMS (SMS_SENDER_ID), or empty for none. */
  readonly smsSenderId: string;
}

const hostPattern = '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$';

export function defineParameters(stack: Stack): DeployParameters {
  const text = (id: string, description: string, extra: Partial<ConstructorParameters<typeof CfnParameter>[2]> = {}) =>
    new CfnParameter(stack, id, { type: 'String', description, ...extra });
  const number = (id: string, description: string, defaultValue: number, minValue: number, maxValue: number) =>
    new CfnParameter(stack, id, { type: 'Number', description, default: defaultValue, minValue, maxValue });

  const domainName = text('DomainName', 'Public custom domain (TLS only): the issuer host, e.g. auth.example.com. Lower case.', {
    allowedPattern: hostPattern,
    constraintDescription: 'a lower-case host name such as auth.example.com',
  });
  const mtlsDomainName = text('MtlsDomainName', 'Custom domain with mutual TLS for the token endpoints, published as mtls_endpoint_aliases, e.g. mtls.auth.example.com. Lower case.', {
    allowedPattern: hostPattern,
    constraintDescription: 'a lower-case host name such as mtls.auth.example.com',
  });
  const certificateArn = text('CertificateArn', 'ARN of an ACM certificate in this region covering both DomainName and MtlsDomainName.', {
    allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$',
  });
  const truststoreBucket = text('TruststoreBucket', 'Versioned S3 bucket holding the mTLS truststore (PEM bundle of the CA and self-signed client certificates).', {
    minLength: 3,
  });
  const truststoreKey = text('TruststoreKey', 'S3 object key of the truststore PEM bundle, e.g. truststore.pem.', { minLength: 1 });
  const truststoreVersion = text('TruststoreVersion', 'S3 object version of the truststore. API Gateway only reads a new truststore when this changes; leave empty to use the latest version at deploy time.', {
    default: '',
  });
  const wafRateLimit = number('WafRateLimitPer5Min', 'WAF rate-based rule: requests allowed per client IP in any 5-minute window before it is blocked.', 2000, 10, 2_000_000_000);
  const throttleRate = number('ThrottleRateLimit', 'API Gateway steady-state limit, requests per second, applied to each method of each API.', 500, 1, 10000);
  const throttleBurst = number('ThrottleBurstLimit', 'API Gateway burst limit (bucket size), applied to each method of each API.', 1000, 1, 5000);
  const alarmEmail = text('AlarmEmail', 'E-mail address subscribed to the alarm topic (the subscription must be confirmed).', {
    allowedPattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
  });
  const logLevel = text('LogLevel', 'Function log level: info, or debug for troubleshooting (debug lines never carry secrets).', {
    default: 'info',
    allowedValues: ['info', 'debug'],
  });
  const keyRotationDays = number('KeyRotationDays', 'Days between signing-key rotations (next → current → previous). Must exceed the longest access/ID token lifetime.', 30, 1, 365);
  const senderEmail = text('SenderEmail', 'From address of the emails Portcullis sends (password reset, account unblock) through Amazon SES. It, or its domain, must be a verified SES identity in this region (outside the SES sandbox to mail anyone).', {
    allowedPattern: '^[^@\\s<>"]+@[a-z0-9.-]+\\.[a-z]{2,63}$',
    constraintDescription: 'a bare address such as no-reply@auth.example.com, domain in lower case',
  });
  const senderIdentityDomain = text('SenderIdentityDomain', 'Only when SenderEmail is covered by a verified SES domain identity other than its own domain (e.g. a parent domain): that domain. Leave empty otherwise.', {
    default: '',
    allowedPattern: `^$|${hostPattern}`,
    constraintDescription: 'empty, or a lower-case domain such as example.com',
  });
  // AWS: 1-11 alphanumeric characters, at least one letter; honoured only where the destination country supports sender IDs.
  const smsSenderId = text('SmsSenderId', 'Sender ID shown on SMS (passwordless and MFA codes sent through Amazon SNS) where the destination country supports one: 1 to 11 letters and digits, at least one letter. Leave empty for none.', {
    default: '',
    allowedPattern: '^$|^(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,11}$',
    constraintDescription: 'empty, or 1 to 11 letters and digits with at least one letter',
  });
  const configCacheSeconds = number('ConfigCacheSeconds', 'Whole seconds a function trusts its cached tenant configuration before reading it again.', 30, 0, 3600);

  // A rate of one needs the singular unit: EventBridge rejects "rate(1 days)".
  const rotatesDaily = new CfnCondition(stack, 'KeyRotationIsDaily', {
    expression: Fn.conditionEquals(keyRotationDays.valueAsString, '1'),
  });
  const keyRotationSchedule = Token.asString(
    Fn.conditionIf(rotatesDaily.logicalId, 'rate(1 day)', Fn.sub('rate(${KeyRotationDays} days)')),
  );

  // The CfnDomainName rejects an empty TruststoreVersion; omit it instead (aws-notes §2.1).
  const hasTruststoreVersion = new CfnCondition(stack, 'HasTruststoreVersion', {
    expression: Fn.conditionNot(Fn.conditionEquals(truststoreVersion.valueAsString, '')),
  });
  const truststoreVersionOrNone = Token.asString(
    Fn.conditionIf(hasTruststoreVersion.logicalId, truststoreVersion.valueAsString, Aws.NO_VALUE),
  );

  // SES authorizes a send against the identity that verifies the From address: the address
  // itself or its domain (or a parent domain, named explicitly).
  const hasSenderIdentityDomain = new CfnCondition(stack, 'HasSenderIdentityDomain', {
    expression: Fn.conditionNot(Fn.conditionEquals(senderIdentityDomain.valueAsString, '')),
  });
  const senderDomain = Token.asString(
    Fn.conditionIf(hasSenderIdentityDomain.logicalId, senderIdentityDomain.valueAsString, Fn.select(1, Fn.split('@', senderEmail.valueAsString))),
  );

  return {
    domainName: domainName.valueAsString,
    mtlsDomainName: mtlsDomainName.valueAsString,
    certificateArn: certificateArn.valueAsString,
    truststoreBucket: truststoreBucket.valueAsString,
    truststoreKey: truststoreKey.valueAsString,
    truststoreVersion: truststoreVersionOrNone,
    wafRateLimitPer5Min: wafRateLimit.valueAsNumber,
    throttleRateLimit: throttleRate.valueAsNumber,
    throttleBurstLimit: throttleBurst.valueAsNumber,
    alarmEmail: alarmEmail.valueAsString,
    logLevel: logLevel.valueAsString,
    keyRotationDays: keyRotationDays.valueAsNumber,
    keyRotationSchedule,
    // CloudFormation has no arithmetic: whole seconds followed by "000" are milliseconds.
    configCacheMs: Fn.sub(`\${${configCacheSeconds.logicalId}}000`),
    senderEmail: senderEmail.valueAsString,
    senderDomain,
    smsSenderId: smsSenderId.valueAsString,
  };
}
