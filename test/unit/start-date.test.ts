/** start_date in the future (src/start-date.ts): refused, quoting the value and the connector's clock. */
import { futureStartDate, parseStartDate } from '../../src/start-date.js';

const NOW = Date.UTC(2025, 5, 15, 12) / 1000;

describe('futureStartDate', () => {
  it.each<[number | undefined, boolean]>([
    [undefined, false],
    [NOW - 86_400, false],
    [NOW, false],
    [NOW + 1, true],
    [NOW + 365 * 86_400, true],
  ])('start %j is refused: %j', (start, refused) => {
    expect(futureStartDate(start, NOW) !== undefined).toBe(refused);
  });

  it('quotes the value as given, its time, and the clock it was compared with', () => {
    const given = '2025-07-01';
    expect(futureStartDate(parseStartDate(given), NOW, given)).toBe(
      '"start_date" "2025-07-01" (2025-07-01T00:00:00Z) is in the future (the connector\'s clock says 2025-06-15T12:00:00Z): a read would find nothing. Give a past date, like 2024-01-01, or leave start_date out to read all the API keeps',
    );
  });
});
