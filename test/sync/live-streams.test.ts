/**
 * `sync` lands the six streams read from the endpoints issue 24 added: Design Studio incrementally (a second sync after
 * the clock moved upserts the edited emails, components and folders: one row per key at its latest edit, content
 * queryable as JSON), subscription channels, opt-outs and transactional contents in full (nested opt-outs as JSON,
 * contents keyed by template and id).
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/command.js';
import { captureIo, catalogOf, configFor, idsOf, inFile, sorted, SMALL_SIZES, tempDuckdb } from './fixtures.js';

let sb: Sandbox;
beforeAll(async () => {
  // As startSmallSandbox, but nothing deleted on advance: Design Studio reports no deletions (README), so the tables
  // match the sandbox exactly only when nothing vanished.
  sb = await startSandbox({ seed: 42, now: Math.floor(Date.now() / 1000) - 2 * 86_400, sizes: { ...SMALL_SIZES, optouts: 30 }, churn: { deleteOnAdvance: false } });
});
afterAll(() => sb.close());

const streams = {
  design_studio_folders: 'incremental',
  design_studio_emails: 'incremental',
  design_studio_components: 'incremental',
  subscription_channels: 'full_refresh',
  optouts: 'full_refresh',
  transactional_message_contents: 'full_refresh',
} as const;

it('lands each of the six streams, and upserts the Design Studio edits of a second sync after the clock moved', async () => {
  const path = tempDuckdb();
  const rawConfig = configFor(sb);
  const rawCatalog = catalogOf(streams);
  const first = await runSync({ rawConfig, rawCatalog, duckdbPath: path }, captureIo().io);
  expect(first.exitCode).toBe(0);
  const counts = sb.expected.counts() as Record<string, number>;
  for (const stream of Object.keys(streams)) expect({ stream, rows: first.rows.find((r) => r.stream === stream)?.rows }).toEqual({ stream, rows: counts[stream] });

  sb.advance(3 * 3600);
  const second = await runSync({ rawConfig, rawCatalog, duckdbPath: path }, captureIo().io);
  expect(second.exitCode).toBe(0);
  expect(second.rows.find((r) => r.stream === 'design_studio_emails')!.updated).toBeGreaterThan(0);

  for (const kind of ['folders', 'emails', 'components'] as const) expect(await idsOf(path, `design_studio_${kind}`)).toEqual(sorted(sb.expected.designStudio(kind).map((r) => r.id as string)));
  const details = new Map(sb.expected.designStudioEmailDetails().map((e) => [e.id as string, e]));
  await inFile(path, async (w) => {
    for (const row of await w.rows(`SELECT id, updated, content->>'$.subject' AS subject FROM design_studio_emails`)) {
      const truth = details.get(row.id as string)!;
      expect({ id: row.id, updated: Number(row.updated), subject: row.subject }).toEqual({ id: truth.id, updated: truth.updated, subject: (truth.content as Record<string, unknown>).subject });
    }
    const [optouts] = await w.rows(`SELECT count(*) AS n, count(DISTINCT cio_id) AS people, min(json_array_length(optouts)) AS fewest FROM optouts`);
    expect([Number(optouts.n), Number(optouts.people)]).toEqual([counts.optouts, counts.optouts]);
    expect(Number(optouts.fewest)).toBeGreaterThan(0);
    const [contents] = await w.rows(`SELECT count(*) AS n, count(DISTINCT (transactional_id, id)) AS keys, count(*) FILTER (WHERE recipient IS NULL) AS null_recipients FROM transactional_message_contents`);
    expect([Number(contents.n), Number(contents.keys), Number(contents.null_recipients)]).toEqual([counts.transactional_message_contents, counts.transactional_message_contents, counts.transactional_message_contents]);
    expect(await w.count('subscription_channels')).toBe(counts.subscription_channels);
  });
});
