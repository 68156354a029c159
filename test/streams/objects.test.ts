/** objects and object_relationships against nock: one search per object type, attribute calls per object, relationships per object. */
import nock from 'nock';
import { objectRelationships, objects } from '../../src/customerio/streams/objects.js';
import { objectTypes } from '../../src/customerio/streams/listings.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

/** The search body: the type, and a filter every object of it matches (has object_id, or has not). */
const searchBody = (type: string) => {
  const has = { object_attribute: { field: 'object_id', operator: 'exists', type_id: type } };
  return { object_type_id: type, filter: { or: [has, { not: has }] } };
};

const ident = (type: number, n: number) => ({ object_id: `acct-${type}-${n}`, cio_object_id: `ob${type}0000${n}` });
const detail = (type: number, n: number) => ({
  object: {
    attributes: { name: `Account ${n}`, plan: 'pro' },
    timestamps: { name: 1_700_000_000 + n, plan: 1_700_000_100 },
    identifiers: ident(type, n),
    object_type_id: String(type),
  },
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('objects', () => {
  it('searches each object type with a filter every object matches, then reads each object\'s attributes by object_id', async () => {
    const attributeCalls: string[] = [];
    const api = nock(API)
      .get('/v1/object_types')
      // One id as a string (documented), one as a number (as the object_types stream may hand it on).
      .reply(200, { types: [{ id: '1', name: 'Accounts' }, { id: 2, name: 'Courses' }] })
      // A type of two pages is searched twice (engine/reread.ts); the second search finds nothing new: no more attribute calls.
      .post('/v1/objects', searchBody('1'))
      .query({ limit: '1000' })
      .times(2)
      .reply(200, { identifiers: [ident(1, 1), ident(1, 2)], ids: ['acct-1-1', 'acct-1-2'], next: 'b2s=' })
      .post('/v1/objects', searchBody('1'))
      .query({ limit: '1000', start: 'b2s=' })
      .times(2)
      // The docs warn that pages may repeat entries: acct-1-2 comes again.
      .reply(200, { identifiers: [ident(1, 2), ident(1, 3)], ids: ['acct-1-2', 'acct-1-3'], next: '' })
      .post('/v1/objects', searchBody('2'))
      .query({ limit: '1000' })
      .reply(200, { identifiers: [ident(2, 1)], ids: ['acct-2-1'] })
      // No query: object_id is the documented default id_type.
      .get(/^\/v1\/objects\/\d\/acct-\d-\d\/attributes$/)
      .times(4)
      .reply(200, (uri) => {
        attributeCalls.push(uri);
        const [, , , type, objectId] = uri.split('/');
        return detail(Number(type), Number(objectId.slice(-1)));
      });
    const result = await readStreams([{ definition: objects }]);
    api.done();
    expect(attributeCalls.sort()).toEqual(['/v1/objects/1/acct-1-1/attributes', '/v1/objects/1/acct-1-2/attributes', '/v1/objects/1/acct-1-3/attributes', '/v1/objects/2/acct-2-1/attributes']);
    const records = result.records('objects');
    // Object types are read concurrently: the order across types is not fixed.
    expect(records.map((r) => [r.object_type_id, r.object_id]).sort()).toEqual([
      ['1', 'acct-1-1'],
      ['1', 'acct-1-2'],
      ['1', 'acct-1-3'],
      ['2', 'acct-2-1'],
    ]);
    expect(records.find((r) => r.object_id === 'acct-1-1')).toEqual({
      object_type_id: '1',
      object_id: 'acct-1-1',
      cio_object_id: 'ob100001',
      identifiers: ident(1, 1),
      attributes: { name: 'Account 1', plan: 'pro' },
      timestamps: { name: 1_700_000_001, plan: 1_700_000_100 },
    });
    expect(objects.primaryKey).toEqual([['object_type_id'], ['object_id']]);
    expectRecordsMatchSchema(objects, records);
    expect(result.records('object_types')).toEqual([]);
    expect(result.statuses('objects').at(-1)).toBe('COMPLETE');
  });

  it('with object_attributes false, makes no attribute call and leaves attributes null', async () => {
    const api = nock(API)
      .get('/v1/object_types')
      .reply(200, { types: [{ id: '1' }] })
      .post('/v1/objects')
      .query({ limit: '1000' })
      .reply(200, { identifiers: [ident(1, 1)], ids: ['acct-1-1'] });
    const result = await readStreams([{ definition: objects }], { config: { object_attributes: false } });
    api.done();
    expect(result.records('objects')).toEqual([{ object_type_id: '1', object_id: 'acct-1-1', cio_object_id: 'ob100001', identifiers: null, attributes: null, timestamps: null }]);
  });

  it('encodes object ids; one holding a slash goes by its cio_object_id, or encoded when it has none; one that vanished (404) stays without attributes', async () => {
    const api = nock(API)
      .get('/v1/object_types')
      .reply(200, { types: [{ id: '1' }] })
      .post('/v1/objects')
      .query(true)
      .reply(200, {
        identifiers: [{ object_id: 'Acme EU/West' }, { object_id: 'Initech EU/East', cio_object_id: 'ob1e' }, { object_id: 'Hooli & Co?', cio_object_id: 'ob1h' }, ident(1, 2)],
      })
      .get('/v1/objects/1/Acme%20EU%2FWest/attributes')
      .reply(200, { object: { attributes: { name: 'Acme' } } })
      .get('/v1/objects/1/ob1e/attributes')
      .query({ id_type: 'cio_object_id' })
      .reply(200, { object: { attributes: { name: 'Initech' } } })
      .get('/v1/objects/1/Hooli%20%26%20Co%3F/attributes')
      .reply(200, { object: { attributes: { name: 'Hooli' } } })
      .get('/v1/objects/1/acct-1-2/attributes')
      .reply(404, { errors: [{ detail: 'not found', status: '404' }] });
    const result = await readStreams([{ definition: objects }]);
    api.done();
    expect(result.records('objects').map((r) => [r.object_id, r.attributes])).toEqual([
      ['Acme EU/West', { name: 'Acme' }],
      ['Initech EU/East', { name: 'Initech' }],
      ['Hooli & Co?', { name: 'Hooli' }],
      ['acct-1-2', null],
    ]);
    expect(result.statuses('objects').at(-1)).toBe('COMPLETE');
  });

  it('skips objects without an object_id and counts them in one WARN', async () => {
    nock(API)
      .get('/v1/object_types')
      .reply(200, { types: [{ id: '1' }] })
      .post('/v1/objects')
      .query(true)
      .reply(200, { identifiers: [{ cio_object_id: 'ob1' }, { cio_object_id: 'ob2', object_id: '' }, ident(1, 3)] })
      .get('/v1/objects/1/acct-1-3/attributes')
      .reply(200, detail(1, 3));
    const result = await readStreams([{ definition: objects }]);
    expect(result.records('objects').map((r) => r.object_id)).toEqual(['acct-1-3']);
    expect(result.logs('WARN')).toEqual(['objects: skipped 2 objects without an object_id']);
  });

  it('ends only objects INCOMPLETE with a config_error when the plan has no objects (403); object_types completes', async () => {
    nock(API)
      .get('/v1/object_types')
      .reply(200, { types: [{ id: '1' }] })
      .post('/v1/objects')
      .query(true)
      .reply(403, { errors: [{ detail: 'Objects are not available on your plan', status: '403' }] });
    const result = await readStreams([{ definition: objectTypes }, { definition: objects }]);
    expect(result.statuses('objects').at(-1)).toBe('INCOMPLETE');
    expect(result.statuses('object_types').at(-1)).toBe('COMPLETE');
    expect(result.records('object_types')).toHaveLength(1);
    expect(result.errors).toEqual([
      expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(/^Stream objects is not available to this App API key \(403: Objects are not available on your plan\)/) }),
    ]);
  });
});

describe('object_relationships', () => {
  const relation = (cio: string, extra: Record<string, unknown> = {}) => ({ identifiers: { cio_id: cio, email: `${cio}@example.com`, id: cio.toUpperCase() }, object_type_id: '0', ...extra });

  it('lists objects without attribute calls, then pages each object\'s relationships, once per person', async () => {
    const api = nock(API)
      .get('/v1/object_types')
      .reply(200, { types: [{ id: '1' }] })
      .post('/v1/objects', searchBody('1'))
      .query({ limit: '1000' })
      .reply(200, { identifiers: [ident(1, 1), ident(1, 2)], ids: ['acct-1-1', 'acct-1-2'] })
      // Two pages of people: read twice (engine/reread.ts), the second time bringing nobody new.
      .get('/v1/objects/1/acct-1-1/relationships')
      .query({ limit: '1000' })
      .times(2)
      .reply(200, { cio_relationships: [relation('p1', { attributes: { role: 'admin' }, timestamps: { role: 1_700_000_000 } }), relation('p2')], next: 'cmVs' })
      .get('/v1/objects/1/acct-1-1/relationships')
      .query({ limit: '1000', start: 'cmVs' })
      .times(2)
      .reply(200, { cio_relationships: [relation('p2'), relation('p3')], next: '' })
      .get('/v1/objects/1/acct-1-2/relationships')
      .query({ limit: '1000' })
      .reply(200, { cio_relationships: [] });
    const result = await readStreams([{ definition: objectRelationships }]);
    api.done();
    expect(result.errors).toEqual([]);
    const records = result.records('object_relationships');
    expect(records.map((r) => [r.object_id, r.cio_id])).toEqual([
      ['acct-1-1', 'p1'],
      ['acct-1-1', 'p2'],
      ['acct-1-1', 'p3'],
    ]);
    expect(records[0]).toEqual({
      object_type_id: '1',
      object_id: 'acct-1-1',
      cio_object_id: 'ob100001',
      cio_id: 'p1',
      id: 'P1',
      email: 'p1@example.com',
      identifiers: { cio_id: 'p1', email: 'p1@example.com', id: 'P1' },
      related_object_type_id: '0',
      object_type_disabled: null,
      attributes: { role: 'admin' },
      timestamps: { role: 1_700_000_000 },
    });
    expect(objectRelationships.primaryKey).toEqual([['object_type_id'], ['object_id'], ['cio_id']]);
    expectRecordsMatchSchema(objectRelationships, records);
    expect(result.records('objects')).toEqual([]);
  });

  it('shares the search pages with a selected objects stream: each page asked once, every object in both streams', async () => {
    const searches: string[] = [];
    const api = nock(API)
      .get('/v1/object_types')
      .reply(200, { types: [{ id: '1' }] })
      .post('/v1/objects')
      .query({ limit: '1000' })
      .times(2)
      .reply(200, () => (searches.push('page 1'), { identifiers: [ident(1, 1), ident(1, 2)], next: 'MQ' }))
      .post('/v1/objects')
      .query({ limit: '1000', start: 'MQ' })
      .times(2)
      // A repeat across pages: each reader drops it from its own pass, neither from the other's.
      .reply(200, () => (searches.push('page 2'), { identifiers: [ident(1, 2)], next: '' }))
      .get(/^\/v1\/objects\/1\/acct-1-\d\/attributes/)
      .query(true)
      .times(2)
      .reply(200, (uri) => detail(1, Number(uri.split('/')[4].slice(-1))))
      .get(/^\/v1\/objects\/1\/acct-1-\d\/relationships/)
      .query(true)
      .times(2)
      .reply(200, (uri) => ({ cio_relationships: [relation(`p${uri.split('/')[4].slice(-1)}`)] }));
    const result = await readStreams([{ definition: objects }, { definition: objectRelationships }]);
    api.done();
    // Once for both readers, and once more for both (the search of two pages is read again: engine/reread.ts).
    expect(searches).toEqual(['page 1', 'page 2', 'page 1', 'page 2']);
    expect(result.records('objects').map((r) => r.object_id)).toEqual(['acct-1-1', 'acct-1-2']);
    expect(result.records('object_relationships').map((r) => [r.object_id, r.cio_id])).toEqual([
      ['acct-1-1', 'p1'],
      ['acct-1-2', 'p2'],
    ]);
  });

  it('skips people without a cio_id (one WARN with the count) and an object deleted meanwhile (404, a WARN), and completes', async () => {
    nock(API)
      .get('/v1/object_types')
      .reply(200, { types: [{ id: '1' }] })
      .post('/v1/objects')
      .query(true)
      .reply(200, { identifiers: [ident(1, 1), ident(1, 2)] })
      .get('/v1/objects/1/acct-1-1/relationships')
      .query(true)
      .reply(200, { cio_relationships: [{ identifiers: { email: 'x@example.com' } }, relation('p9')] })
      .get('/v1/objects/1/acct-1-2/relationships')
      .query(true)
      .reply(404, { errors: [{ detail: 'object not found', status: '404' }] });
    const result = await readStreams([{ definition: objectRelationships }]);
    expect(result.records('object_relationships').map((r) => r.cio_id)).toEqual(['p9']);
    const warnings = result.logs('WARN');
    expect(warnings).toContain('object_relationships: skipped 1 relationship without a cio_id');
    expect(warnings.some((w) => w.startsWith('object_relationships: skipped 1:acct-1-2 ('))).toBe(true);
    expect(result.statuses('object_relationships').at(-1)).toBe('COMPLETE');
  });
});
