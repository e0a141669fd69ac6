// A recording HTTP proxy in front of moto for the AWS answers moto lacks (the browser
// tests' twin of testkit's fault_proxy): a request whose text (request line, headers and
// body) holds every needle of a rule gets the rule's canned answer, shaped as the API
// reference shows it; every other request goes to moto unchanged. Every request's text is
// kept, so a test can check what Switchyard sent.
import http from 'node:http';

/** Start the proxy in front of `target` (moto's endpoint). */
export async function startAwsStandIn(target) {
  const rules = [];
  const seen = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const head = Object.entries(req.headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n');
    const text = `${req.method} ${req.url}\n${head}\n\n${body.toString('utf8')}`;
    seen.push(text);
    const rule = rules.find((r) => r.needles.every((n) => text.includes(n)));
    if (rule) {
      res.writeHead(rule.status, rule.headers);
      res.end(rule.body);
      return;
    }
    const upstream = http.request(
      new URL(req.url, target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`moto unreachable: ${e.message}`);
    });
    upstream.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    add: (...added) => rules.push(...added),
    /** The requests whose text holds `needle`, in order. */
    requests: (needle) => seen.filter((t) => t.includes(needle)),
    stop: () => server.close(),
  };
}

/** A successful answer of a query-protocol service (STS, IAM) to `action`. */
export function queryOk(action, result, ...needles) {
  return {
    needles: [`Action=${action}&`, ...needles],
    status: 200,
    headers: { 'Content-Type': 'text/xml' },
    body:
      `<${action}Response><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** A successful answer of a JSON-protocol service to `target` (`X-Amz-Target`). */
export function jsonOk(target, body) {
  return {
    needles: [target],
    status: 200,
    headers: { 'Content-Type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(body),
  };
}

/** The key id of the root session the stand-in's AssumeRoot hands out. */
export const ROOT_KEY = 'ASIAROOTSTANDIN00001';

/**
 * Centralized root access, as AWS answers it where it is on (moto knows neither IAM's
 * trusted access, ListOrganizationsFeatures, AssumeRoot nor IAM calls made as a root
 * session): the calls made with the root session are answered only for that session.
 */
export function centralizedRootAccess() {
  const asRoot = `Credential=${ROOT_KEY}/`;
  return [
    jsonOk('AWSOrganizationsV20161128.ListAWSServiceAccessForOrganization', {
      EnabledServicePrincipals: [{ ServicePrincipal: 'iam.amazonaws.com', DateEnabled: 1767225600 }],
    }),
    queryOk(
      'ListOrganizationsFeatures',
      '<OrganizationId>o-standin0001</OrganizationId><EnabledFeatures>' +
        '<member>RootCredentialsManagement</member><member>RootSessions</member></EnabledFeatures>',
    ),
    queryOk(
      'AssumeRoot',
      `<Credentials><AccessKeyId>${ROOT_KEY}</AccessKeyId>` +
        '<SecretAccessKey>standin-root-secret</SecretAccessKey><SessionToken>standin-root-token</SessionToken>' +
        '<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><SourceIdentity>alice</SourceIdentity>',
    ),
    queryOk(
      'CreateLoginProfile',
      '<LoginProfile><UserName>root</UserName><CreateDate>2026-01-01T00:00:00Z</CreateDate>' +
        '<PasswordResetRequired>false</PasswordResetRequired></LoginProfile>',
      asRoot,
    ),
    queryOk('DeleteLoginProfile', '', asRoot),
    queryOk(
      'ListAccessKeys',
      '<AccessKeyMetadata><member><AccessKeyId>AKIAROOTKEY000000001</AccessKeyId>' +
        '<Status>Active</Status></member></AccessKeyMetadata><IsTruncated>false</IsTruncated>',
      asRoot,
    ),
    queryOk('DeleteAccessKey', '', asRoot),
    queryOk('ListSigningCertificates', '<Certificates></Certificates><IsTruncated>false</IsTruncated>', asRoot),
    queryOk('ListMFADevices', '<MFADevices></MFADevices><IsTruncated>false</IsTruncated>', asRoot),
  ];
}
