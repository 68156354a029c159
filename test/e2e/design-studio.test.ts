/**
 * The Design Studio streams read by the built CLI from the sandbox: a full read lands exactly the sandbox's folders,
 * emails (with their content) and components, whichever way the API reads `direct_descendants_only`; an incremental
 * read after the sandbox's clock moves asks each level for `updated_after` = its cursor − 1 and, landed by Airbyte's
 * dedup rule, gives exactly the sandbox's records at their latest edit; the requests cost one per folder and level and
 * one per email; a workspace without Design Studio ends the three streams INCOMPLETE and the others read on.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { DedupedTable } from '../helpers/airbyte-dedup.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { expectStreamsMatchDiscoveredSchemas } from './schema-check.js';

const STREAMS = ['design_studio_folders', 'design_studio_emails', 'design_studio_components'] as const;
const SIZES = { designStudioFolders: 6, designStudioEmails: 20, designStudioComponents: 8 };

type Row = Record<string, unknown>;
const byId = (rows: Row[]) => [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));
const configOf = (sb: Sandbox, extra: Row = {}) => ({ app_api_key: 'sandbox-us-key', api_base_url: sb.url, ...extra });
/** The connector on the sandbox's clock (re-read after each advance). */
const read = (sb: Sandbox, files: Parameters<typeof runCli>[1]) => runCli(['read'], files, { env: { CIO_TEST_CLOCK: String(sb.now()) } });

/** What the sandbox holds, as the connector prints it: emails completed with their detail. */
function expectedOf(sb: Sandbox): Record<(typeof STREAMS)[number], Row[]> {
  return {
    design_studio_folders: byId(sb.expected.designStudio('folders')),
    design_studio_emails: byId(sb.expected.designStudioEmailDetails()),
    design_studio_components: byId(sb.expected.designStudio('components')),
  };
}

function expectExactly(result: CliResult, sb: Sandbox): void {
  expect(result.errors).toEqual([]);
  const expected = expectedOf(sb);
  for (const stream of STREAMS) {
    expect(byId(result.records(stream))).toEqual(expected[stream]);
    expect(result.statuses(stream).at(-1)).toBe('COMPLETE');
  }
}

async function withSandbox(options: SandboxOptions, body: (sb: Sandbox) => Promise<void>): Promise<void> {
  const sb = await startSandbox({ seed: 7, sizes: SIZES, ...options });
  try {
    await body(sb);
  } finally {
    await sb.close();
  }
}

describe('Design Studio, full refresh, end to end', () => {
  it('lands exactly the sandbox\'s folders, emails with their content and components, one request per level and per email', async () => {
    await withSandbox({}, async (sb) => {
      const result = await read(sb, { config: configOf(sb), catalog: configuredCatalog([...STREAMS]) });
      expect(result.exitCode).toBe(0);
      expectExactly(result, sb);
      const emails = result.records('design_studio_emails');
      expect(emails.every((e) => typeof e.content?.html === 'string' && e.content.html.length > 0)).toBe(true);
      expect(emails.some((e) => e.parent_folder_id === null) && emails.some((e) => e.parent_folder_id !== null)).toBe(true);
      await expectStreamsMatchDiscoveredSchemas(configOf(sb), [...STREAMS], (name) => result.records(name));

      const levels = 1 + SIZES.designStudioFolders;
      const requests = sb.stats().byEndpoint;
      // The tree walked once for the folders stream and as the parent of emails and components together.
      expect(requests['GET /v1/design_studio/folders']).toBe(levels);
      expect(requests['GET /v1/design_studio/emails']).toBe(levels);
      expect(requests['GET /v1/design_studio/components']).toBe(levels);
      expect(requests['GET /v1/design_studio/emails/{id}']).toBe(SIZES.designStudioEmails);
    });
  });

  it.each(['whole_subtree', 'direct_children'] as const)('lands each item exactly once when every listing answers %s, whatever it asks', async (scope) => {
    await withSandbox({ designStudioScope: scope }, async (sb) => {
      const result = await read(sb, { config: configOf(sb, { design_studio_email_content: false }), catalog: configuredCatalog([...STREAMS]) });
      expect(result.exitCode).toBe(0);
      const expected = expectedOf(sb);
      expect(byId(result.records('design_studio_folders'))).toEqual(expected.design_studio_folders);
      expect(byId(result.records('design_studio_components'))).toEqual(expected.design_studio_components);
      expect(result.records('design_studio_emails').map((e) => e.id).sort()).toEqual(expected.design_studio_emails.map((e) => e.id).sort());
      // Content off: no detail request at all.
      expect(sb.stats().byEndpoint['GET /v1/design_studio/emails/{id}']).toBeUndefined();
    });
  });
});

describe('Design Studio, incremental, end to end', () => {
  it('asks each level for updated_after = its cursor − 1 after the clock moves and lands exactly the sandbox\'s records at their latest edit', async () => {
    await withSandbox({ churn: { deleteOnAdvance: false } }, async (sb) => {
      const catalog = configuredCatalog(STREAMS.map((name) => ({ name, syncMode: 'incremental' as const })));
      const tables = Object.fromEntries(STREAMS.map((name) => [name, new DedupedTable({ primaryKey: [['id']], cursorField: 'updated' })]));
      const land = (result: CliResult) => {
        for (const stream of STREAMS) tables[stream].applySync(result.recordMessages(stream).map((m) => ({ data: m.record.data, emitted_at: m.record.emitted_at })));
      };
      const first = await read(sb, { config: configOf(sb), catalog });
      expect(first.exitCode).toBe(0);
      expectExactly(first, sb);
      land(first);
      const cursors = first.lastState('design_studio_emails')!.partitions as Record<string, { updated: number }>;
      expect(Object.keys(cursors).sort()).toEqual(['root', ...sb.expected.designStudio('folders').map((f) => f.id as string)].sort());

      sb.advance(6 * 3600);
      sb.resetStats();
      const second = await read(sb, { config: configOf(sb), catalog, state: first.finalState() });
      expect(second.exitCode).toBe(0);
      land(second);

      // Each level was asked from a second before its cursor (both bounds exclusive), with no upper bound.
      const asked = sb
        .stats()
        .requests.filter((r) => r.endpoint === 'GET /v1/design_studio/emails')
        .map((r) => new URLSearchParams(r.query));
      expect(asked).toHaveLength(Object.keys(cursors).length);
      for (const query of asked) {
        const level = query.get('parent_folder_id') ?? 'root';
        expect(query.get('updated_after')).toBe(String(cursors[level].updated - 1));
        expect(query.get('updated_before')).toBeNull();
        expect(query.get('direct_descendants_only')).toBe('true');
      }
      // The edits of the advance are read, and only what changed since each cursor (its own second included).
      const now = sb.now();
      const emails = sb.expected.designStudioEmailDetails();
      const edited = emails.filter((e) => e.updated === now).map((e) => e.id);
      expect(edited.length).toBeGreaterThan(0);
      const since = (e: Row) => cursors[(e.parent_folder_id as string | null) ?? 'root'].updated;
      expect(second.records('design_studio_emails').map((e) => e.id).sort()).toEqual(emails.filter((e) => (e.updated as number) >= since(e)).map((e) => e.id).sort());
      expect(second.records('design_studio_emails').length).toBeLessThan(emails.length);
      expect(sb.stats().byEndpoint['GET /v1/design_studio/emails/{id}']).toBe(second.records('design_studio_emails').length);

      const expected = expectedOf(sb);
      for (const stream of STREAMS) expect(byId(tables[stream].keys().map((key) => tables[stream].get(key)!))).toEqual(expected[stream]);
    });
  });
});

describe('a workspace without Design Studio', () => {
  it('ends the three streams INCOMPLETE with a config_error naming each, and reads the other streams', async () => {
    await withSandbox({ faults: [{ path: '/design_studio/', kind: 'status', status: 403 }] }, async (sb) => {
      const result = await read(sb, { config: configOf(sb), catalog: configuredCatalog([...STREAMS, 'subscription_channels']) });
      expect(result.exitCode).toBe(1);
      for (const stream of STREAMS) expect(result.statuses(stream).at(-1)).toBe('INCOMPLETE');
      expect(result.errors.map((e) => e.stream_descriptor?.name).sort()).toEqual([...STREAMS].sort());
      expect(result.errors.every((e) => e.failure_type === 'config_error' && /not available to this App API key/.test(e.message))).toBe(true);
      expect(result.statuses('subscription_channels').at(-1)).toBe('COMPLETE');
      expect(result.records('subscription_channels')).toHaveLength(sb.expected.counts().subscription_channels);
    });
  });
});
