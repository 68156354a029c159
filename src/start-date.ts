/**
 * `start_date`: the oldest data a first read keeps. Given as a day (`2024-01-01`, midnight UTC), an ISO-8601
 * date-time (`2024-01-01T00:00:00Z`, fractions and offsets allowed; without an offset, UTC), or unix seconds (a
 * number, or digits as text: what other tools and Airbyte's own connector write). Every message about it quotes the
 * value it got and shows the forms it takes. Pure: the clock comes in as an argument.
 */
import { configError } from './errors.js';
import { isoSeconds } from './clock.js';

export const START_DATE_FORMS = 'a day like 2024-01-01, a date-time like 2024-01-01T00:00:00Z, or unix seconds like 1704067200';

/** Unix seconds above this are milliseconds (year 5138 in seconds; 1973 in milliseconds). */
const MILLISECONDS_FROM = 1e11;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

const shown = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) : JSON.stringify(value);
  return text ?? String(value);
};

const bad = (value: unknown, why: string) => configError(`"start_date" ${shown(value)} ${why}: give ${START_DATE_FORMS}`);

function fromSeconds(value: unknown, seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) throw bad(value, 'is not a time');
  if (seconds >= MILLISECONDS_FROM) throw bad(value, 'looks like milliseconds, not seconds');
  return Math.floor(seconds);
}

/** The calendar date is a real one (Date.UTC would roll 2024-02-30 over into March). */
function realDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `start_date` as unix seconds; a config_error quoting the value when it is none of the forms. */
export function parseStartDate(value: unknown): number {
  if (typeof value === 'number') return fromSeconds(value, value);
  if (typeof value !== 'string') throw bad(value, 'is not a date');
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return fromSeconds(value, Number(text));
  const day = DAY.exec(text);
  if (day) {
    if (!realDate(Number(day[1]), Number(day[2]), Number(day[3]))) throw bad(value, 'is not a real date');
    return Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) / 1000;
  }
  const time = DATE_TIME.exec(text);
  if (!time) throw bad(value, 'is not a date');
  if (!realDate(Number(time[1]), Number(time[2]), Number(time[3]))) throw bad(value, 'is not a real date');
  const zone = time[8] ? time[8].toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z';
  const ms = Date.parse(`${time[1]}-${time[2]}-${time[3]}T${time[4]}:${time[5]}:${time[6] ?? '00'}${time[7] ?? ''}${zone}`);
  if (Number.isNaN(ms)) throw bad(value, 'is not a real time');
  return Math.floor(ms / 1000);
}

/**
 * The problem with a start_date after `nowSeconds` (the run's clock), or undefined. A first read from the future
 * would read nothing and save cursors nobody can read past until then: refused, not warned about.
 */
export function futureStartDate(startDateSeconds: number | undefined, nowSeconds: number, given?: unknown): string | undefined {
  if (startDateSeconds === undefined || startDateSeconds <= nowSeconds) return undefined;
  const at = new Date(startDateSeconds * 1000).toISOString().replace('.000Z', 'Z');
  const now = isoSeconds(nowSeconds);
  const value = given === undefined ? at : `${shown(given)} (${at})`;
  return `"start_date" ${value} is in the future (the connector's clock says ${now}): a read would find nothing. Give a past date, like 2024-01-01, or leave start_date out to read all the API keeps`;
}
