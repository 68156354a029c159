/**
 * Where the key may go (src/engine/egress.ts): the address and host tables, the URL rule with and without the
 * operator's permission, and the connect-time lookup that refuses a name resolving into a private network.
 */
import type { LookupAddress } from 'node:dns';
import { addressProblem, guardedLookup, hostProblem, privateNetworkAllowed, PrivateAddressRefused, PRIVATE_NETWORK_ENV, urlProblem, v6Groups } from '../../src/engine/egress.js';

describe('addressProblem', () => {
  it.each<[string, RegExp]>([
    ['127.0.0.1', /^a loopback address/],
    ['127.255.1.2', /^a loopback address/],
    ['0.0.0.0', /^an unspecified address/],
    ['10.1.2.3', /^a private address \(10/],
    ['172.16.0.1', /^a private address \(172\.16/],
    ['172.31.255.255', /^a private address \(172\.16/],
    ['192.168.1.1', /^a private address \(192\.168/],
    ['169.254.169.254', /^a link-local address .*metadata/],
    ['100.64.0.1', /^a carrier-grade NAT address/],
    ['100.127.255.254', /^a carrier-grade NAT address/],
    ['224.0.0.1', /^a multicast address/],
    ['255.255.255.255', /^a reserved address/],
    ['::1', /^the loopback address/],
    ['::', /^the unspecified address/],
    ['0:0:0:0:0:0:0:1', /^the loopback address/],
    ['fc00::1', /^a unique local address/],
    ['fd12:3456::1', /^a unique local address/],
    ['fe80::1', /^a link-local address \(fe80/],
    ['febf::1', /^a link-local address \(fe80/],
    ['ff02::1', /^a multicast address/],
    ['::ffff:127.0.0.1', /^an IPv6 form of a loopback address/],
    ['::ffff:7f00:1', /^an IPv6 form of a loopback address/],
    ['::ffff:a9fe:a9fe', /^an IPv6 form of a link-local address/],
    ['::ffff:10.0.0.1', /^an IPv6 form of a private address/],
    ['64:ff9b::192.168.0.1', /^an IPv6 form of a private address/],
    ['::127.0.0.1', /^an IPv6 form of a loopback address/],
    ['[::1]', /^the loopback address/],
  ])('%s is %s', (address, problem) => {
    expect(addressProblem(address)).toMatch(problem);
  });

  it.each(['8.8.8.8', '104.18.0.1', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2a00:1450:4001::200e'])('%s is public', (address) => {
    expect(addressProblem(address)).toBeUndefined();
  });

  it.each<[string, number[] | undefined]>([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['1::', [1, 0, 0, 0, 0, 0, 0, 0]],
    ['::ffff:1.2.3.4', [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['1:2:3:4:5:6:7', undefined],
    ['1::2::3', undefined],
    ['g::1', undefined],
  ])('reads the IPv6 address %s as its groups', (address, groups) => {
    expect(v6Groups(address)).toEqual(groups);
  });
});

describe('hostProblem and urlProblem', () => {
  it.each<[string, RegExp | undefined]>([
    ['localhost', /^a loopback name/],
    ['LOCALHOST.', /^a loopback name/],
    ['api.localhost', /^a loopback name/],
    ['[::1]', /^the loopback address/],
    ['api.customer.io', undefined],
    ['localhost.example.com', undefined],
  ])('the host %s: %s', (host, problem) => {
    const found = hostProblem(host);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });

  it.each<[string, boolean, RegExp | undefined]>([
    ['https://api.customer.io/v1', false, undefined],
    ['https://proxy.example.com/customerio/us/v1', false, undefined],
    ['http://api.customer.io/v1', false, /plain http/],
    ['https://127.0.0.1:8443/v1', false, /127\.0\.0\.1 is a loopback address/],
    // The WHATWG parser reads every spelling of an IPv4 address as the address.
    ['https://2130706433/v1', false, /127\.0\.0\.1 is a loopback address/],
    ['https://0x7f.1/v1', false, /127\.0\.0\.1 is a loopback address/],
    ['https://[::ffff:127.0.0.1]/v1', false, /is an IPv6 form of a loopback address/],
    ['https://169.254.169.254/latest', false, /link-local/],
    ['https://0.0.0.0/v1', false, /unspecified/],
    ['https://[fd00::1]/v1', false, /unique local/],
    ['https://[fe80::1]/v1', false, /link-local/],
    ['https://localhost:8443/v1', false, /loopback name/],
    ['ftp://api.customer.io/v1', false, /scheme is ftp/],
    ['http://127.0.0.1:8080/v1', true, undefined],
    ['https://localhost/v1', true, undefined],
    ['ftp://127.0.0.1/v1', true, /scheme is ftp/],
  ])('%s (private network allowed: %s): %s', (url, allowed, problem) => {
    const found = urlProblem(new URL(url), allowed);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });

  it.each<[string | undefined, boolean]>([
    ['1', true],
    ['true', true],
    [' YES ', true],
    ['', false],
    ['0', false],
    ['false', false],
    [undefined, false],
  ])('%s=%j allows a private network: %s', (value, allowed) => {
    expect(privateNetworkAllowed(value === undefined ? {} : { [PRIVATE_NETWORK_ENV]: value })).toBe(allowed);
  });

  it('is given to every test by the jest setup (test/global-setup.mjs), so local servers work', () => {
    expect(privateNetworkAllowed()).toBe(true);
  });
});

describe('guardedLookup (at connect time)', () => {
  const resolver = (answers: Record<string, string[]>) => (hostname: string, _options: object, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) =>
    callback(null, (answers[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));

  function lookup(answers: Record<string, string[]>, hostname: string, options: object) {
    return new Promise<{ error: Error | null; address: unknown; family?: number }>((resolve) =>
      guardedLookup(resolver(answers))(hostname, options, (error, address, family) => resolve({ error, address, family })),
    );
  }

  it('passes a public answer on in the form asked for (one address, or all)', async () => {
    const answers = { 'api.customer.io': ['104.18.0.1', '2606:4700::1'] };
    expect(await lookup(answers, 'api.customer.io', {})).toEqual({ error: null, address: '104.18.0.1', family: 4 });
    expect(await lookup(answers, 'api.customer.io', { all: true })).toEqual({ error: null, address: [{ address: '104.18.0.1', family: 4 }, { address: '2606:4700::1', family: 6 }], family: undefined });
  });

  it.each<[string, string[]]>([
    ['a name that resolves to loopback', ['127.0.0.1']],
    ['a name that resolves to the metadata service', ['169.254.169.254']],
    ['a name with one public and one private answer', ['104.18.0.1', '10.0.0.7']],
    ['a name that resolves to an IPv4-mapped loopback', ['::ffff:127.0.0.1']],
  ])('refuses %s, naming the address and how an operator allows it', async (_what, addresses) => {
    const { error } = await lookup({ 'rebind.example.com': addresses }, 'rebind.example.com', { all: true });
    expect(error).toBeInstanceOf(PrivateAddressRefused);
    expect(error).toMatchObject({ failureType: 'config_error', code: 'ERR_CIO_PRIVATE_ADDRESS' });
    expect(error!.message).toMatch(/^rebind\.example\.com resolves to .*: the connector does not send requests into a private network\. .*CIO_ALLOW_PRIVATE_NETWORK=1/);
  });
});
