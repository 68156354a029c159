/**
 * Issue 26.5: the file of an export is fetched only over https from a declared storage host, at every hop: the
 * link itself and each redirect after it (src/customerio/download-hosts.ts, ExportFile in download.ts). A real
 * loopback server stands where a redirect must never arrive; nock plays the storage hosts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { ExportFile } from '../../src/customerio/download.js';
import { isStorageHost, LinkRefused, linkPolicyFromEnv, linkProblem, type LinkPolicy } from '../../src/customerio/download-hosts.js';

const STRICT: LinkPolicy = { allowPrivate: false, extraHosts: [] };
const SIGNATURE = 'X-Goog-Signature=c2lnbmF0dXJlLW5vdC10by1iZS1wcmludGVk';
const GCS = 'https://storage.googleapis.com';
const FILE = 'cio_id,id,email\r\na1,1,a@example.com\r\na2,2,b@example.com\r\n';

describe('which hosts are storage hosts [inferred]', () => {
  it.each<[string, boolean]>([
    ['storage.googleapis.com', true],
    ['cio-exports.storage.googleapis.com', true],
    ['STORAGE.googleapis.com.', true],
    ['bucket.s3.amazonaws.com', true],
    ['bucket.s3.eu-west-1.amazonaws.com', true],
    ['s3.us-east-1.amazonaws.com', true],
    ['bucket.s3-eu-west-1.amazonaws.com', true],
    ['api.customer.io', true],
    ['customer.io.evil.example.com', false],
    ['evilcustomer.io', false],
    ['ec2.amazonaws.com', false],
    ['storage.googleapis.com.evil.example.com', false],
    ['169.254.169.254', false],
    ['localhost', false],
  ])('%s: %s', (host, storage) => {
    expect(isStorageHost(host)).toBe(storage);
  });

  it.each<[string, LinkPolicy, RegExp | undefined]>([
    [`${GCS}/b/7.csv?${SIGNATURE}`, STRICT, undefined],
    ['http://storage.googleapis.com/b/7.csv', STRICT, /plain http/],
    ['https://127.0.0.1:8443/7.csv', STRICT, /127\.0\.0\.1 is not a storage host/],
    ['https://files.example.com/7.csv', STRICT, /files\.example\.com is not a storage host/],
    ['https://files.example.com/7.csv', { allowPrivate: false, extraHosts: ['files.example.com'] }, undefined],
    ['https://a.files.example.com/7.csv', { allowPrivate: false, extraHosts: ['.files.example.com'] }, undefined],
    ['http://127.0.0.1:8080/__storage/7.csv', { allowPrivate: true, extraHosts: [] }, undefined],
    ['https://files.example.com/7.csv', { allowPrivate: true, extraHosts: [] }, /is not a storage host/],
    ['file:///etc/passwd', { allowPrivate: true, extraHosts: [] }, /scheme is file/],
    ['not a url', STRICT, /not a URL/],
  ])('%s (%j): %s', (link, policy, problem) => {
    const found = linkProblem(link, policy);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });

  it('reads the operator\'s extra hosts and permission from the environment', () => {
    expect(linkPolicyFromEnv({ CIO_EXPORT_DOWNLOAD_HOSTS: ' Files.example.com, .cdn.example.net ,', CIO_ALLOW_PRIVATE_NETWORK: '1' })).toEqual({ allowPrivate: true, extraHosts: ['files.example.com', '.cdn.example.net'] });
    expect(linkPolicyFromEnv({})).toEqual({ allowPrivate: false, extraHosts: [] });
  });
});

describe('ExportFile follows a redirect only to a storage host', () => {
  let server: Server;
  let local = '';
  let hits = 0;

  beforeAll(async () => {
    // Where a redirect into the platform's network would land: it must never see a request.
    server = createServer((req, res) => {
      hits++;
      res.end(FILE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => (hits = 0));
  afterEach(() => nock.cleanAll());

  function file(policy: LinkPolicy, newLink = async () => `${GCS}/b/7.csv?${SIGNATURE}&n=2`) {
    return new ExportFile({ exportId: '7', stream: 'customers', firstLink: `${GCS}/b/7.csv?${SIGNATURE}`, newLink, links: policy, sleep: async () => undefined, random: () => 0 });
  }

  async function rowsOf(export_: ExportFile): Promise<string[][]> {
    const rows: string[][] = [];
    for await (const batch of export_.batches(100)) rows.push(...batch);
    return rows;
  }

  async function failure(export_: ExportFile): Promise<Error> {
    try {
      await rowsOf(export_);
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the download to fail');
  }

  it.each<[string, () => string, RegExp]>([
    ['an http loopback server', () => `${local}/steal`, /^Redirect 1 on the way to the file of export 7 is not followed: it is plain http\./],
    ['an https loopback address', () => `https://127.0.0.1:${new URL(local).port}/steal`, /^Redirect 1 .*: 127\.0\.0\.1 is not a storage host/],
    ['the cloud metadata service', () => 'https://169.254.169.254/latest/meta-data/', /^Redirect 1 .*: 169\.254\.169\.254 is not a storage host/],
    ['a host of nobody we know', () => 'https://collector.example.com/x', /^Redirect 1 .*: collector\.example\.com is not a storage host/],
  ])('refuses a redirect to %s: a system_error, no retry, nothing sent there', async (_what, target, message) => {
    nock(GCS).get('/b/7.csv').query(true).reply(302, '', { location: target() });
    const error = await failure(file(STRICT));
    expect(error).toBeInstanceOf(LinkRefused);
    expect(error).toMatchObject({ failureType: 'system_error', stream: 'customers' });
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/CIO_EXPORT_DOWNLOAD_HOSTS=/);
    expect(error.message).not.toContain('Signature');
    expect(hits).toBe(0);
  });

  it('refuses the second redirect when the first was to a storage host', async () => {
    nock(GCS).get('/b/7.csv').query(true).reply(302, '', { location: 'https://bucket.s3.amazonaws.com/7.csv' });
    nock('https://bucket.s3.amazonaws.com').get('/7.csv').reply(307, '', { location: `${local}/steal` });
    const error = await failure(file(STRICT));
    expect(error.message).toMatch(/^Redirect 2 on the way to the file of export 7 is not followed: it is plain http/);
    expect(hits).toBe(0);
  });

  it('follows a redirect from one storage host to another and reads the file', async () => {
    nock(GCS).get('/b/7.csv').query(true).reply(302, '', { location: 'https://bucket.s3.eu-west-1.amazonaws.com/7.csv?X-Amz-Signature=abc' });
    nock('https://bucket.s3.eu-west-1.amazonaws.com').get('/7.csv').query(true).reply(200, FILE);
    const export_ = file(STRICT);
    expect(await export_.header()).toEqual(['cio_id', 'id', 'email']);
    expect(await rowsOf(export_)).toEqual([
      ['a1', '1', 'a@example.com'],
      ['a2', '2', 'b@example.com'],
    ]);
  });

  it('refuses a first link that is not on a storage host before sending anything', async () => {
    const export_ = new ExportFile({ exportId: '7', stream: 'customers', firstLink: `${local}/7.csv?${SIGNATURE}`, newLink: async () => `${local}/7.csv`, links: STRICT });
    const error = await failure(export_);
    expect(error.message).toMatch(/^Customer\.io's link to the file of export 7 is not followed: it is plain http/);
    expect(hits).toBe(0);
  });

  it('with the operator\'s permission for a private network, follows a redirect to a loopback server (the sandbox\'s case)', async () => {
    nock(GCS).get('/b/7.csv').query(true).reply(302, '', { location: `${local}/7.csv` });
    expect(await rowsOf(file({ allowPrivate: true, extraHosts: [] }))).toHaveLength(2);
    expect(hits).toBe(1);
  });
});
