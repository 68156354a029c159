/** "Did you mean …?": the nearest names by edit distance, for streams, tables and commands. */
import { didYouMean, editDistance, nearest } from '../../src/nearest.js';

const STREAMS = ['campaigns', 'campaign_actions', 'campaigns_actions', 'customers', 'people', 'messages', 'activities', 'newsletters', 'segments', 'workspaces'];

describe('editDistance', () => {
  it.each([
    ['campaign', 'campaigns', 1],
    ['messgaes', 'messages', 2],
    ['Customers', 'customers', 0],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s → %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('nearest', () => {
  it.each<[string, string[]]>([
    ['campaign', ['campaigns', 'campaign_actions']],
    ['customer', ['customers']],
    ['messgaes', ['messages']],
    ['activity', ['activities']],
    ['newsletter', ['newsletters']],
    ['CAMPAIGNS', ['campaigns_actions']],
    ['campaign_action', ['campaign_actions', 'campaigns_actions']],
    ['xyz', []],
    ['', []],
    ['users', []],
  ])('%j → %j', (typed, expected) => {
    expect(nearest(typed, STREAMS, 2)).toEqual(expected);
  });

  it('never suggests the name itself', () => {
    expect(nearest('campaigns', STREAMS)).not.toContain('campaigns');
  });
});

describe('didYouMean', () => {
  it('names one or two candidates, or nothing', () => {
    expect(didYouMean('segment', STREAMS)).toBe('did you mean "segments"?');
    expect(didYouMean('reed', ['spec', 'check', 'discover', 'read', 'sync', 'query'])).toBe('did you mean "read"?');
    expect(didYouMean('zzzzzz', STREAMS)).toBeUndefined();
  });
});
