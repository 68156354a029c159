/** The configured catalog: checked against the offered streams before any request is made. */
import { parseConfiguredCatalog, type OfferedStream } from '../../src/protocol/catalog.js';
import { ConnectorError } from '../../src/errors.js';
import { configuredCatalog } from '../helpers/catalog.js';

const offered: OfferedStream[] = [
  { name: 'workspaces', syncModes: ['full_refresh'] },
  { name: 'campaigns', syncModes: ['full_refresh', 'incremental'] },
  { name: 'activities', syncModes: ['full_refresh', 'incremental'] },
];

function rejection(raw: unknown): ConnectorError {
  try {
    parseConfiguredCatalog(raw, offered);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).failureType).toBe('config_error');
    return error as ConnectorError;
  }
  throw new Error('expected a config_error, nothing was thrown');
}

describe('parseConfiguredCatalog', () => {
  it('returns the selected streams with their sync modes, in catalog order', () => {
    const catalog = configuredCatalog([{ name: 'activities', syncMode: 'incremental' }, 'workspaces', { name: 'campaigns', syncMode: 'incremental', cursorField: ['updated'] }]);
    expect(parseConfiguredCatalog(catalog, offered)).toEqual([
      { name: 'activities', syncMode: 'incremental' },
      { name: 'workspaces', syncMode: 'full_refresh' },
      { name: 'campaigns', syncMode: 'incremental' },
    ]);
  });

  it('reads an entry without sync_mode as full refresh', () => {
    expect(parseConfiguredCatalog({ streams: [{ stream: { name: 'campaigns' } }] }, offered)).toEqual([{ name: 'campaigns', syncMode: 'full_refresh' }]);
  });

  it('accepts an empty selection', () => {
    expect(parseConfiguredCatalog({ streams: [] }, offered)).toEqual([]);
  });

  const entry = (over: Record<string, unknown>) => ({ streams: [{ stream: { name: 'campaigns', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite', ...over }] });

  it.each<[string, unknown, RegExp]>([
    ['null', null, /must be a JSON object with a "streams" list/],
    ['a list', [configuredCatalog(['campaigns'])], /must be a JSON object with a "streams" list/],
    ['an object without streams', { stream: [] }, /"streams" list/],
    ['an object whose streams is not a list', { streams: { campaigns: {} } }, /"streams" list/],
    ['an entry that is not an object', { streams: ['campaigns'] }, /catalog streams\[0\] is not an object/],
    ['an entry without stream.name', { streams: [{ sync_mode: 'full_refresh' }] }, /catalog streams\[0\] has no stream\.name/],
    ['an entry with an empty name', { streams: [{ stream: { name: '' } }] }, /streams\[0\] has no stream\.name/],
    ['an unknown stream', configuredCatalog(['workspaces', 'campaign']), /selects stream "campaign", which this connector does not offer/],
    ['a stream twice', configuredCatalog(['campaigns', 'workspaces', 'campaigns']), /selects stream "campaigns" twice/],
    ['an unknown sync mode', entry({ sync_mode: 'append' }), /Stream "campaigns" has sync_mode "append"; use full_refresh or incremental/],
    ['incremental on a full-refresh-only stream', configuredCatalog([{ name: 'workspaces', syncMode: 'incremental' }]), /Stream "workspaces" does not support incremental sync \(it supports full_refresh\)/],
    ['a cursor_field that is not a list', entry({ cursor_field: 'updated' }), /"campaigns" has a cursor_field that is not a list/],
    ['a destination_sync_mode that is not a string', entry({ destination_sync_mode: 3 }), /"campaigns" has a destination_sync_mode that is not a string/],
  ])('rejects %s with a config_error that names it', (_case, raw, pattern) => {
    expect(rejection(raw).message).toMatch(pattern);
  });
});
