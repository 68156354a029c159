/** `--streams a,b,c` (src/streams-option.ts): a catalog of the named streams, in their best mode; unknown names suggested. */
import { catalogOf, selectStreams, streamNames } from '../../src/streams-option.js';
import type { OfferedStream } from '../../src/protocol/catalog.js';

const OFFERED: OfferedStream[] = [
  { name: 'campaigns', syncModes: ['full_refresh', 'incremental'], cursorField: ['updated'] },
  { name: 'customers', syncModes: ['full_refresh'] },
  { name: 'people', syncModes: ['full_refresh'] },
  { name: 'messages', syncModes: ['full_refresh', 'incremental'], cursorField: ['created'] },
];

describe('streamNames', () => {
  it.each<[string, string[]]>([
    ['campaigns,customers', ['campaigns', 'customers']],
    ['campaigns, customers ,messages', ['campaigns', 'customers', 'messages']],
    ['campaigns customers', ['campaigns', 'customers']],
    ['campaigns,,campaigns,', ['campaigns']],
    [' , ', []],
  ])('%j → %j', (text, names) => {
    expect(streamNames(text)).toEqual(names);
  });
});

describe('selectStreams', () => {
  it('reads each named stream incrementally where it offers that, else in full, in the order given', () => {
    expect(selectStreams('messages,customers,campaigns', OFFERED)).toEqual([
      { name: 'messages', syncMode: 'incremental' },
      { name: 'customers', syncMode: 'full_refresh' },
      { name: 'campaigns', syncMode: 'incremental' },
    ]);
  });

  it('takes Airbyte\'s names, as discover offers them', () => {
    expect(selectStreams('people', OFFERED)).toEqual([{ name: 'people', syncMode: 'full_refresh' }]);
  });

  it.each<[string, string]>([
    ['campaign', '--streams names a stream this connector does not offer: "campaign" (did you mean "campaigns"?) (discover lists them all)'],
    ['campaign,customer', '--streams names streams this connector does not offer: "campaign" (did you mean "campaigns"?); "customer" (did you mean "customers"?) (discover lists them all)'],
    ['users', '--streams names a stream this connector does not offer: "users" (discover lists them all)'],
    [',', '--streams names no stream: give names separated by commas, e.g. --streams campaigns,customers,messages (discover lists them)'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => selectStreams(text, OFFERED)).toThrow(message);
  });
});

describe('catalogOf', () => {
  it('is a configured catalog read takes', () => {
    expect(catalogOf([{ name: 'campaigns', syncMode: 'incremental' }])).toEqual({
      streams: [{ stream: { name: 'campaigns', json_schema: {}, supported_sync_modes: ['incremental'] }, sync_mode: 'incremental', destination_sync_mode: 'append_dedup' }],
    });
  });
});
