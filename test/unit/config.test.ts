/** The config: spec.json validation with messages naming the field, defaults, derived values, the customer filter. */
import { parseConfig, REGION_HOSTS } from '../../src/config.js';
import { EVERYONE, filterProblems } from '../../src/customerio/filter.js';
import { ConnectorError } from '../../src/errors.js';
import { PRIVATE_NETWORK_ENV } from '../../src/engine/egress.js';
import { API_KEY, MAY_1 } from './fixtures.js';

function configError(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).failureType).toBe('config_error');
    return (error as ConnectorError).message;
  }
  throw new Error(`expected a config_error for ${JSON.stringify(raw)}`);
}

const withKey = (over: Record<string, unknown>) => ({ app_api_key: API_KEY, ...over });

describe('parseConfig defaults', () => {
  it('fills every optional field with its documented default', () => {
    const config = parseConfig({ app_api_key: API_KEY });
    expect(config).toMatchObject({
      apiKey: API_KEY,
      region: 'us',
      baseUrl: 'https://api.customer.io/v1',
      pinnedHost: false,
      startDateSeconds: undefined,
      messagesLookbackDays: 30,
      messagesRecentLookbackHours: 24,
      messagesFullLookbackEveryHours: 24,
      requestsPerSecond: 10,
      activityTypes: [],
      activitiesIncludeDeleted: true,
      activitiesLookbackHours: 1,
      activityParsing: 'single_table',
      customerFilter: EVERYONE,
      customerAttributes: [],
      metricsPeriod: 'days',
      metricsSteps: undefined,
      messageTypes: [],
      customStreams: [],
      espSuppressionDomains: [],
    });
  });

  it('re-reads a recent day of deliveries and the full lookback once a day unless told otherwise', () => {
    expect(parseConfig(withKey({ messages_lookback_days: 7, messages_recent_lookback_hours: 6, messages_full_lookback_every_hours: 12 }))).toMatchObject({
      messagesLookbackDays: 7,
      messagesRecentLookbackHours: 6,
      messagesFullLookbackEveryHours: 12,
    });
    // A recent lookback as long as the full one (every read re-reads it all), and none at all, are both allowed.
    expect(parseConfig(withKey({ messages_lookback_days: 2, messages_recent_lookback_hours: 48 })).messagesRecentLookbackHours).toBe(48);
    expect(parseConfig(withKey({ messages_recent_lookback_hours: 0, messages_full_lookback_every_hours: 0 }))).toMatchObject({ messagesRecentLookbackHours: 0, messagesFullLookbackEveryHours: 0 });
  });

  it.each(['messages_recent_lookback_hours', 'messages_full_lookback_every_hours', 'activities_lookback_hours'])('takes %s null or empty as not set', (field) => {
    for (const value of [null, '']) {
      const config = parseConfig(withKey({ [field]: value }));
      expect([config.messagesRecentLookbackHours, config.messagesFullLookbackEveryHours, config.activitiesLookbackHours]).toEqual([24, 24, 1]);
    }
  });

  it('leaves out the activities of deleted people only when asked to', () => {
    expect(parseConfig(withKey({ activities_include_deleted: false })).activitiesIncludeDeleted).toBe(false);
    expect(parseConfig(withKey({ activities_include_deleted: true })).activitiesIncludeDeleted).toBe(true);
  });

  it('picks the EU host for region eu and knows both hosts', () => {
    const config = parseConfig(withKey({ region: 'eu' }));
    expect(config.baseUrl).toBe('https://api-eu.customer.io/v1');
    expect(config.baseUrlFor('us')).toBe(REGION_HOSTS.us);
    expect(config.baseUrlFor('eu')).toBe(REGION_HOSTS.eu);
  });

  it('trims spaces pasted around the key', () => {
    expect(parseConfig({ app_api_key: `  ${API_KEY}\n` }).apiKey).toBe(API_KEY);
  });

  it.each([
    ['start_date', null],
    ['start_date', ''],
    ['api_base_url', ''],
    ['metrics_steps', null],
    ['customer_filter', null],
    ['customer_filter', ''],
  ])('treats %s: %j as not set', (field, value) => {
    const config = parseConfig(withKey({ [field]: value }));
    expect(config.startDateSeconds).toBeUndefined();
    expect(config.baseUrl).toBe(REGION_HOSTS.us);
    expect(config.metricsSteps).toBeUndefined();
    expect(config.customerFilter).toEqual(EVERYONE);
  });

  it('keeps the values it is given', () => {
    const config = parseConfig(
      withKey({
        messages_lookback_days: 7,
        requests_per_second: 3,
        activity_types: ['event', 'sent_email'],
        activities_include_deleted: true,
        activities_lookback_hours: 12,
        activity_parsing: 'per_type',
        customer_attributes: ['email'],
        metrics_period: 'weeks',
        metrics_steps: 12,
        message_types: ['email', 'push'],
        custom_streams: [{ name: 'topics', path: 'subscription_topics', records_path: '$.topics[*]' }],
      }),
    );
    expect(config).toMatchObject({
      messagesLookbackDays: 7,
      requestsPerSecond: 3,
      activityTypes: ['event', 'sent_email'],
      activitiesIncludeDeleted: true,
      activitiesLookbackHours: 12,
      activityParsing: 'per_type',
      customerAttributes: ['email'],
      metricsPeriod: 'weeks',
      metricsSteps: 12,
      messageTypes: ['email', 'push'],
      customStreams: [{ name: 'topics', path: '/subscription_topics', recordsPath: '$.topics[*]', primaryKey: ['id'], paginated: false }],
    });
  });
});

describe("parseConfig reads the config Airbyte's own Customer.io connector saved", () => {
  it.each<[unknown, string, string]>([
    ['US', 'us', 'https://api.customer.io/v1'],
    ['EU', 'eu', 'https://api-eu.customer.io/v1'],
    ['Eu', 'eu', 'https://api-eu.customer.io/v1'],
    [' eu ', 'eu', 'https://api-eu.customer.io/v1'],
    ['us', 'us', 'https://api.customer.io/v1'],
    [null, 'us', 'https://api.customer.io/v1'],
  ])('takes region %j as %s (%s)', (region, expected, host) => {
    const config = parseConfig(withKey({ region }));
    expect([config.region, config.baseUrl]).toEqual([expected, host]);
  });

  it('accepts every field of its spec, with the same meaning', () => {
    const config = parseConfig({
      app_api_key: ` ${API_KEY}\n`,
      region: 'EU',
      start_date: '2024-05-01T00:00:00Z',
      messages_lookback_days: 7,
      esp_suppression_domains: ['mail.example.com', 'news.example.com'],
    });
    expect(config).toMatchObject({
      apiKey: API_KEY,
      region: 'eu',
      baseUrl: 'https://api-eu.customer.io/v1',
      startDateSeconds: MAY_1,
      messagesLookbackDays: 7,
      espSuppressionDomains: ['mail.example.com', 'news.example.com'],
      // Airbyte's connector always asks for deleted people's activities.
      activitiesIncludeDeleted: true,
    });
  });

  it.each<[unknown, string[]]>([
    [[], []],
    [null, []],
    [['mail.example.com'], ['mail.example.com']],
    [['xn--bcher-kva.example', 'a.b.example.co.uk'], ['xn--bcher-kva.example', 'a.b.example.co.uk']],
  ])('takes esp_suppression_domains %j', (domains, expected) => {
    expect(parseConfig(withKey({ esp_suppression_domains: domains })).espSuppressionDomains).toEqual(expected);
  });

  it.each<[unknown, RegExp]>([
    [['Mail.example.com'], /"esp_suppression_domains\.0" must be a sending domain in lowercase, like mail\.example\.com/],
    [['mail.example.com '], /"esp_suppression_domains\.0" must be a sending domain/],
    [['news@mail.example.com'], /"esp_suppression_domains\.0" must be a sending domain/],
    [['https://mail.example.com'], /"esp_suppression_domains\.0" must be a sending domain/],
    [[''], /"esp_suppression_domains\.0" must be a sending domain/],
    [['localhost'], /"esp_suppression_domains\.0" must be a sending domain/],
    [['mail.example.com', 'mail.example.com'], /"esp_suppression_domains" lists the same value twice/],
    ['mail.example.com', /"esp_suppression_domains" must be array/],
  ])('rejects esp_suppression_domains %j naming the field', (domains, pattern) => {
    expect(configError(withKey({ esp_suppression_domains: domains }))).toMatch(pattern);
  });
});

describe('parseConfig start_date', () => {
  it.each([
    ['2024-05-01T00:00:00Z', MAY_1],
    ['2024-05-01T00:00:00.999Z', MAY_1],
    ['2024-05-01T02:00:00+02:00', MAY_1],
    ['2024-04-30T19:00:00-05:00', MAY_1],
  ])('reads %s as unix seconds', (text, seconds) => {
    expect(parseConfig(withKey({ start_date: text })).startDateSeconds).toBe(seconds);
  });

  it.each<[unknown, number]>([
    ['2024-05-01', MAY_1],
    [' 2024-05-01 ', MAY_1],
    ['2024-05-01 00:00:00', MAY_1],
    ['2024-05-01T00:00', MAY_1],
    ['2024-05-01T00:00:00', MAY_1],
    ['2024-05-01t00:00:00z', MAY_1],
    ['2024-05-01T02:00:00+0200', MAY_1],
    ['1714521600', MAY_1],
    [1714521600, MAY_1],
    [1714521600.9, MAY_1],
    ['0', 0],
  ])('also reads %j (a day, a date-time without seconds or zone, unix seconds as a number or as digits)', (value, seconds) => {
    expect(parseConfig(withKey({ start_date: value })).startDateSeconds).toBe(seconds);
  });

  it.each<[unknown, RegExp]>([
    ['May 1 2024', /"start_date" "May 1 2024" is not a date/],
    ['2024-13-45T00:00:00Z', /"start_date" "2024-13-45T00:00:00Z" is not a real date/],
    ['2024-02-30', /"start_date" "2024-02-30" is not a real date/],
    ['01/02/2024', /"start_date" "01\/02\/2024" is not a date/],
    [1714521600000, /"start_date" 1714521600000 looks like milliseconds/],
    ['-5', /"start_date" "-5" is not a date/],
    [-5, /"start_date" -5 is not a time/],
    [true, /"start_date" true is not a date/],
    [{}, /"start_date" \{\} is not a date/],
  ])('rejects %j quoting the value', (value, pattern) => {
    expect(configError(withKey({ start_date: value }))).toMatch(pattern);
  });

  it('shows every form it takes, with an example of each, in every refusal', () => {
    expect(configError(withKey({ start_date: 'yesterday' }))).toMatch(/give a day like 2024-01-01, a date-time like 2024-01-01T00:00:00Z, or unix seconds like 1704067200/);
  });

  it('names start_date beside the other fields when the config has more than one problem', () => {
    expect(configError(withKey({ start_date: 'yesterday', region: 'mars' }))).toMatch(/"region" must be one of us, eu; "start_date" "yesterday" is not a date/);
  });
});

describe('parseConfig api_base_url', () => {
  it('pins one host when the URL has no {region}, without a trailing slash', () => {
    const config = parseConfig(withKey({ api_base_url: 'http://127.0.0.1:8080/v1/', region: 'eu' }));
    expect(config.baseUrl).toBe('http://127.0.0.1:8080/v1');
    expect(config.baseUrlFor('us')).toBe('http://127.0.0.1:8080/v1');
    expect(config.pinnedHost).toBe(true);
  });

  it('puts the region into {region}, for either region', () => {
    const config = parseConfig(withKey({ api_base_url: 'https://proxy.example.com/customerio/{region}/v1', region: 'eu' }));
    expect(config.baseUrl).toBe('https://proxy.example.com/customerio/eu/v1');
    expect(config.baseUrlFor('us')).toBe('https://proxy.example.com/customerio/us/v1');
    expect(config.pinnedHost).toBe(false);
  });

  it.each([
    ['not a url', /"api_base_url" is not a URL/],
    ['ftp://example.com/v1', /"api_base_url" must be an https URL like https:\/\/api\.customer\.io\/v1/],
  ])('rejects %j', (url, pattern) => {
    expect(configError(withKey({ api_base_url: url }))).toMatch(pattern);
  });

  it('prints a URL it cannot read without its user:password', () => {
    const message = configError(withKey({ api_base_url: 'https://proxyuser:hunter2-proxy-pass@proxy example.com/v1' }));
    expect(message).toMatch(/"api_base_url" is not a URL: https:\/\/proxy example\.com\/v1$/);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('proxyuser');
  });

  describe('without the operator\'s permission for a private network (no CIO_ALLOW_PRIVATE_NETWORK)', () => {
    let saved: string | undefined;
    beforeEach(() => {
      saved = process.env[PRIVATE_NETWORK_ENV];
      delete process.env[PRIVATE_NETWORK_ENV];
    });
    afterEach(() => {
      if (saved !== undefined) process.env[PRIVATE_NETWORK_ENV] = saved;
    });

    it.each<[string, RegExp]>([
      ['http://api.customer.io/v1', /it is plain http, which would send the key unencrypted/],
      ['http://127.0.0.1:8080/v1', /it is plain http/],
      ['https://127.0.0.1:8443/v1', /its host 127\.0\.0\.1 is a loopback address \(127\.0\.0\.0\/8\)/],
      ['https://localhost/v1', /its host localhost is a loopback name/],
      ['https://10.0.0.5/v1', /is a private address \(10\.0\.0\.0\/8\)/],
      ['https://169.254.169.254/latest', /is a link-local address/],
      ['https://100.64.1.1/v1', /carrier-grade NAT/],
      ['https://[::1]/v1', /the loopback address \(::1\)/],
      ['https://[::ffff:127.0.0.1]/v1', /an IPv6 form of a loopback address/],
      ['https://[fd00::5]/v1', /unique local/],
      ['https://[fe80::5]/v1', /link-local address \(fe80/],
      ['https://0.0.0.0/v1', /unspecified/],
      ['https://{region}.localhost/v1', /loopback name/],
    ])('refuses %s with one config_error saying why and how an operator allows it', (url, why) => {
      let error: unknown;
      try {
        parseConfig(withKey({ api_base_url: url }));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConnectorError);
      expect((error as ConnectorError).failureType).toBe('config_error');
      const message = (error as Error).message;
      expect(message).toMatch(/^"api_base_url" \S+ is refused: /);
      expect(message).toMatch(why);
      expect(message).toMatch(/the App API key is sent to it\. Use https and a public host .* setting the environment variable CIO_ALLOW_PRIVATE_NETWORK=1 where the connector runs; a connection's config cannot\.$/);
    });

    it('prints a refused URL without its user:password', () => {
      const message = configError(withKey({ api_base_url: 'http://proxyuser:hunter2-proxy-pass@127.0.0.1:8080/v1' }));
      expect(message).toMatch(/^"api_base_url" http:\/\/127\.0\.0\.1:8080\/v1 is refused/);
      expect(message).not.toContain('hunter2');
    });

    it('takes https public hosts as before, a proxy with {region} included', () => {
      expect(parseConfig(withKey({ api_base_url: 'https://proxy.example.com/customerio/{region}/v1' })).baseUrl).toBe('https://proxy.example.com/customerio/us/v1');
      expect(parseConfig(withKey({ api_base_url: 'https://api-eu.customer.io/v1' })).baseUrl).toBe('https://api-eu.customer.io/v1');
    });
  });
});

describe('parseConfig custom_streams primary_key', () => {
  const custom = (primary_key: unknown) => withKey({ custom_streams: [{ name: 'odd', path: '/odd', records_path: '$.items[*]', primary_key }] });

  it.each([[['a..b']], [['.a']], [['a.']], [['']], [['id', '.']]])('refuses %j: every part of a dotted path must be non-empty', (key) => {
    expect(configError(custom(key))).toMatch(/"custom_streams\.0\.primary_key\.\d" must be a field name or a dotted path like meta\.kind, with no empty part/);
  });

  it.each([[['__proto__.x']], [['constructor']], [['meta.kind', 'id']], [['a b.c-d']]])('takes %j', (key) => {
    expect(parseConfig(custom(key)).customStreams[0].primaryKey).toEqual(key);
  });
});

describe('parseConfig validation names the field', () => {
  it.each<[string, unknown, RegExp]>([
    ['no object at all', null, /must be a JSON object with at least "app_api_key"/],
    ['a list', [API_KEY], /must be a JSON object/],
    ['a missing key', {}, /"app_api_key" is required/],
    ['an empty key', { app_api_key: '' }, /"app_api_key"/],
    ['a blank key', { app_api_key: '   ' }, /"app_api_key" is empty/],
    ['a key that is a number', { app_api_key: 12345 }, /"app_api_key" must be string/],
    ['an unknown region', withKey({ region: 'mars' }), /"region" must be one of us, eu/],
    ['a region in capitals that is no region', withKey({ region: 'MARS' }), /"region" must be one of us, eu$/],
    ['a lookback of 0 days', withKey({ messages_lookback_days: 0 }), /"messages_lookback_days" must be >= 1/],
    ['a lookback of 181 days', withKey({ messages_lookback_days: 181 }), /"messages_lookback_days" must be <= 180/],
    ['a lookback as text', withKey({ messages_lookback_days: '30' }), /"messages_lookback_days" must be integer/],
    ['a negative recent lookback', withKey({ messages_recent_lookback_hours: -1 }), /"messages_recent_lookback_hours" must be >= 0/],
    ['a fractional recent lookback', withKey({ messages_recent_lookback_hours: 1.5 }), /"messages_recent_lookback_hours" must be integer/],
    ['a recent lookback as text', withKey({ messages_recent_lookback_hours: '24' }), /"messages_recent_lookback_hours" must be integer/],
    [
      'a recent lookback longer than the full one',
      withKey({ messages_lookback_days: 1, messages_recent_lookback_hours: 25 }),
      /^"messages_recent_lookback_hours" \(25\) may not exceed messages_lookback_days \(1 × 24 = 24 hours\): the recent re-read is the newest part of the full one$/,
    ],
    ['a recent lookback longer than the default 30 days', withKey({ messages_recent_lookback_hours: 721 }), /"messages_recent_lookback_hours" \(721\) may not exceed messages_lookback_days \(30 × 24 = 720 hours\)/],
    ['a negative full-lookback interval', withKey({ messages_full_lookback_every_hours: -1 }), /"messages_full_lookback_every_hours" must be >= 0/],
    ['a full-lookback interval over 30 days', withKey({ messages_full_lookback_every_hours: 721 }), /"messages_full_lookback_every_hours" must be <= 720/],
    ['a full-lookback interval as text', withKey({ messages_full_lookback_every_hours: '24' }), /"messages_full_lookback_every_hours" must be integer/],
    ['0 requests per second', withKey({ requests_per_second: 0 }), /"requests_per_second" must be >= 1/],
    ['11 requests per second', withKey({ requests_per_second: 11 }), /"requests_per_second" must be <= 10/],
    ['2.5 requests per second', withKey({ requests_per_second: 2.5 }), /"requests_per_second" must be integer/],
    ['a base URL that is a number', withKey({ api_base_url: 5 }), /"api_base_url" must be string/],
    ['activity types that are a string', withKey({ activity_types: 'event' }), /"activity_types" must be array/],
    ['an activity type that is a number', withKey({ activity_types: ['event', 3] }), /"activity_types\.1" must be string/],
    ['include-deleted as text', withKey({ activities_include_deleted: 'yes' }), /"activities_include_deleted" must be boolean/],
    ['a negative activities lookback', withKey({ activities_lookback_hours: -1 }), /"activities_lookback_hours" must be >= 0/],
    ['an activities lookback beyond the 30 days kept', withKey({ activities_lookback_hours: 721 }), /"activities_lookback_hours" must be <= 720/],
    ['a fractional activities lookback', withKey({ activities_lookback_hours: 1.5 }), /"activities_lookback_hours" must be integer/],
    ['an unknown activity parsing', withKey({ activity_parsing: 'flat' }), /"activity_parsing" must be one of single_table, per_type/],
    ['an unknown metrics period', withKey({ metrics_period: 'years' }), /"metrics_period" must be one of hours, days, weeks, months/],
    ['0 metrics steps', withKey({ metrics_steps: 0 }), /"metrics_steps" must be >= 1/],
    ['an unknown message type', withKey({ message_types: ['fax'] }), /"message_types\.0" must be one of email/],
    ['a custom stream without a path', withKey({ custom_streams: [{ name: 'topics', records_path: '$.topics[*]' }] }), /"path" is required/],
    ['a custom stream with a bad name', withKey({ custom_streams: [{ name: 'Topics!', path: '/t', records_path: '$.t[*]' }] }), /"custom_streams\.0\.name" must match pattern/],
  ])('rejects %s', (_case, raw, pattern) => {
    expect(configError(raw)).toMatch(pattern);
  });

  it('reports every invalid field at once', () => {
    const message = configError(withKey({ region: 'mars', requests_per_second: 50, messages_lookback_days: 0 }));
    expect(message).toMatch(/"region"/);
    expect(message).toMatch(/"requests_per_second"/);
    expect(message).toMatch(/"messages_lookback_days"/);
  });

  it('never quotes the key in a validation message', () => {
    expect(configError(withKey({ region: 'mars', requests_per_second: 0 }))).not.toContain(API_KEY);
  });
});

describe('parseConfig customer_filter', () => {
  const segment4 = { and: [{ segment: { id: 4 } }] };

  it.each<[string, unknown]>([
    ['an object', segment4],
    ['a JSON string', JSON.stringify(segment4)],
    ['a request body object {"filter": …}', { filter: segment4 }],
    ['a request body as a JSON string', JSON.stringify({ filter: segment4 })],
  ])('accepts the filter as %s', (_case, filter) => {
    expect(parseConfig(withKey({ customer_filter: filter })).customerFilter).toEqual(segment4);
  });

  it('rejects a string that is not JSON, with an example of a filter', () => {
    expect(configError(withKey({ customer_filter: '{and: [' }))).toMatch(/"customer_filter" is not valid JSON; give a filter such as \{"and"/);
  });

  it.each<[string, unknown, string]>([
    ['an attribute eq without a value', { and: [{ segment: { id: 1 } }, { attribute: { field: 'plan', operator: 'eq' } }] }, 'filter.and[1].attribute.value is required with operator eq'],
    ['a segment id that is text', JSON.stringify({ or: [{ segment: { id: '4' } }] }), 'filter.or[0].segment.id must be an integer segment id'],
    ['a nested unknown operator', { not: { and: [{ attribute: { field: 'plan', operator: 'gt', value: 1 } }] } }, 'filter.not.and[0].attribute.operator must be one of eq, exists'],
    ['two keys in one node', { and: [{ segment: { id: 1 }, attribute: { field: 'x', operator: 'exists' } }] }, 'filter.and[0] must have exactly one of and, or, not, segment, attribute (found segment, attribute)'],
    ['an unknown key', { any: [] }, 'filter has unknown key "any"'],
    ['an empty and', { and: [] }, 'filter.and must be a non-empty list of filters'],
    ['a list', [segment4], 'filter must be an object'],
    ['a number', 7, 'filter must be an object'],
  ])('rejects %s with a pointer to the bad part', (_case, filter, pointer) => {
    const message = configError(withKey({ customer_filter: filter }));
    expect(message).toMatch(/^"customer_filter" is not a valid Customer\.io filter: /);
    expect(message).toContain(pointer);
  });
});

describe('filterProblems', () => {
  it.each<[string, unknown]>([
    ['everyone', EVERYONE],
    ['a segment', { segment: { id: 4 } }],
    ['an attribute that exists', { attribute: { field: 'email', operator: 'exists' } }],
    ['an attribute equal to false', { attribute: { field: 'vip', operator: 'eq', value: false } }],
    ['a deep mix', { or: [{ not: { segment: { id: 1 } } }, { and: [{ attribute: { field: 'plan', operator: 'eq', value: 'pro' } }] }] }],
  ])('finds nothing wrong with %s', (_case, filter) => {
    expect(filterProblems(filter)).toEqual([]);
  });

  it('lists every problem with its own pointer', () => {
    expect(filterProblems({ and: [{ attribute: { field: '', operator: 'eq' } }, { segment: {} }] })).toEqual([
      'filter.and[0].attribute.field must be a non-empty string',
      'filter.and[0].attribute.value is required with operator eq',
      'filter.and[1].segment.id must be an integer segment id',
    ]);
  });
});
