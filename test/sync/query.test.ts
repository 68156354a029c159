/** `query FILE SQL [--json]`: a DuckDB file that sync wrote, queried without the duckdb CLI, and never changed. */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatJsonLines, formatTable, queryCommand } from '../../src/sync/query.js';
import { PROJECT_ROOT, runCli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

let file: string;

beforeAll(async () => {
  // Tables shaped as sync writes them: BIGINT ids, JSON objects, unix-second integers.
  file = join(scratchDir('cio-query-'), 'customerio.duckdb');
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  await connection.run(`CREATE TABLE campaigns (id BIGINT, name VARCHAR, actions JSON, updated BIGINT)`);
  await connection.run(`INSERT INTO campaigns VALUES (1, 'Onboarding', '[{"type":"email","id":1001}]', 1767225600), (12, 'Win-back', NULL, 1767229200)`);
  connection.closeSync();
  instance.closeSync();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } }, stdout: () => out.join(''), stderr: () => err.join('') };
}

async function query(...args: string[]) {
  const io = capture();
  const code = await queryCommand(args, io.io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe('the table', () => {
  it('aligns numbers right and text left, shows NULL, and counts the rows', () => {
    const text = formatTable({ columns: ['id', 'name', 'plan'], rows: [['1', 'Onboarding', null], ['12', 'Win-back', 'pro']] });
    expect(text).toBe(['id  name        plan', '--  ----------  ----', ' 1  Onboarding  NULL', '12  Win-back    pro', '(2 rows)', ''].join('\n'));
  });

  it('cuts long values and keeps each row on one line', () => {
    const text = formatTable({ columns: ['note'], rows: [['a\nb' + 'x'.repeat(20)]] }, 10);
    expect(text.split('\n')[2]).toBe('a bxxxxxx…');
  });

  it('prints the header of an empty result', () => {
    expect(formatTable({ columns: ['id'], rows: [] })).toBe('id\n--\n(0 rows)\n');
  });

  it('prints one JSON object a row with --json', () => {
    expect(formatJsonLines({ columns: ['id', 'actions'], rows: [['1', [{ id: 1 }]], ['2', null]] })).toBe('{"id":"1","actions":[{"id":1}]}\n{"id":"2","actions":null}\n');
  });
});

describe('query FILE SQL', () => {
  it('prints the rows of a DuckDB file as a table', async () => {
    const result = await query(file, 'SELECT id, name, to_timestamp(updated) AS updated FROM campaigns ORDER BY id');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n')).toEqual(['id  name        updated', '--  ----------  ----------------------', ' 1  Onboarding  2026-01-01 00:00:00+00', '12  Win-back    2026-01-01 01:00:00+00', '(2 rows)', '']);
  });

  it('prints JSON lines with --json, JSON columns nested rather than quoted', async () => {
    const result = await query(file, 'SELECT id, actions FROM campaigns ORDER BY id', '--json');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('{"id":"1","actions":[{"type":"email","id":1001}]}\n{"id":"12","actions":null}\n');
  });

  it('opens the file read-only: a statement that writes is refused and the table is as it was', async () => {
    const result = await query(file, 'DELETE FROM campaigns');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: query runs SELECT statements only \(statement 1 is DELETE\)/);
    expect((await query(file, 'SELECT count(*) AS n FROM campaigns', '--json')).stdout).toBe('{"n":"2"}\n');
  });

  it('runs the README\'s kind of SELECT: JSON ->>, to_timestamp, SHOW and DESCRIBE', async () => {
    const result = await query(file, "SELECT id, actions->>'$[0].type' AS first, to_timestamp(updated) AS at FROM campaigns ORDER BY id", '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('{"id":"1","first":"email","at":"2026-01-01 00:00:00+00"}\n{"id":"12","first":null,"at":"2026-01-01 01:00:00+00"}\n');
    expect((await query(file, 'SHOW TABLES', '--json')).stdout).toBe('{"name":"campaigns"}\n');
    expect((await query(file, 'DESCRIBE campaigns')).code).toBe(0);
  });

  describe('touches nothing but the file it reads', () => {
    const sizeOf = () => statSync(file).size;

    it('refuses COPY … TO the opened file itself, even without a temporary file, and the file stays whole', async () => {
      const before = sizeOf();
      for (const sql of [`COPY (SELECT 'oops') TO '${file}'`, `COPY (SELECT 'oops') TO '${file}' (USE_TMP_FILE false)`, `COPY (SELECT 'oops') TO '${file}.wal'`]) {
        const result = await query(file, sql);
        expect(result).toMatchObject({ code: 1, stdout: '' });
        expect(result.stderr).toMatch(/^error: (query runs SELECT statements only|Permission Error)/);
      }
      expect(sizeOf()).toBe(before);
      expect(existsSync(`${file}.wal`)).toBe(false);
      expect((await query(file, 'SELECT count(*) AS n FROM campaigns', '--json')).stdout).toBe('{"n":"2"}\n');
    });

    it('cannot read another file (read_csv of /etc/passwd, glob, read_text)', async () => {
      for (const sql of ["SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM glob('/etc/*')", "SELECT * FROM read_text('/etc/hostname')"]) {
        const result = await query(file, sql);
        expect(result).toMatchObject({ code: 1, stdout: '' });
        expect(result.stderr).toMatch(/^error: Permission Error: .*disabled by configuration.* \(query reads the DuckDB file it was given and nothing else/);
      }
    });

    it('cannot ATTACH another database for writing nor create a table there', async () => {
      const other = join(scratchDir('cio-query-'), 'other.duckdb');
      const attach = await query(file, `ATTACH '${other}' AS other (READ_WRITE)`);
      expect(attach.code).toBe(1);
      expect(attach.stderr).toMatch(/^error: query runs SELECT statements only \(statement 1 is ATTACH\)/);
      const create = await query(file, `SELECT 1; ATTACH '${other}' AS other (READ_WRITE); CREATE TABLE other.t AS SELECT 1 AS x`);
      expect(create.code).toBe(1);
      expect(create.stderr).toMatch(/^error: (query runs SELECT statements only \(statement 2 is ATTACH\)|Permission Error)/);
      expect(existsSync(other)).toBe(false);
    });

    it('cannot turn the fence off, install or load an extension', async () => {
      for (const sql of ['SET enable_external_access = true', 'SET lock_configuration = false', 'INSTALL httpfs', 'LOAD httpfs', 'CHECKPOINT']) {
        const result = await query(file, sql);
        expect(result).toMatchObject({ code: 1, stdout: '' });
        expect(result.stderr).toMatch(/^error: (query runs SELECT statements only|Permission Error|Invalid Input Error)/);
      }
    });
  });

  it.each([
    [['SELECT 1'], /^error: query needs a FILE and a SQL query\nusage: source-customer-io query FILE SQL/],
    [['FILE', 'SELECT', '1'], /^error: query takes one SQL query; put it in quotes \(extra arguments: 1\)/],
    [['--bogus'], /^error: Unknown option '--bogus'/],
  ])('refuses the command line %j with one line and the usage', async (args, pattern) => {
    const result = await query(...args);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(pattern);
  });

  it('names a missing file without creating it', async () => {
    const missing = join(scratchDir('cio-query-'), 'nothing.duckdb');
    const result = await query(missing, 'SELECT 1');
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(`error: no DuckDB file at ${missing} (sync writes customerio.duckdb by default)`);
    expect(existsSync(missing)).toBe(false);
  });

  it("passes on DuckDB's own reason for a bad query, on one line", async () => {
    const result = await query(file, 'SELECT * FROM campaign');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Catalog Error: Table with name campaign does not exist!.*campaigns/);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('says a sync has the file when another process holds it for writing', async () => {
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `import { DuckDBInstance } from '@duckdb/node-api';
      const instance = await DuckDBInstance.create(${JSON.stringify(file)}); await instance.connect();
      console.log('open'); setTimeout(() => {}, 60000);`], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve());
        holder.once('exit', (code) => reject(new Error(`the process holding the file exited with ${code}`)));
      });
      const result = await query(file, 'SELECT 1');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: IO Error: Could not set lock on file .* \(a sync has the file open: query it when the sync is done\)\n$/);
    } finally {
      // Gone before the next test opens the file.
      if (holder.exitCode === null) await new Promise((resolve) => holder.once('exit', resolve).kill());
    }
  });

  it('is a command of the connector (node dist/main.js query)', async () => {
    const result = await runCli(['query', file, 'SELECT name FROM campaigns WHERE id = 12', '--json'], {}, { raw: true });
    expect({ code: result.exitCode, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: '{"name":"Win-back"}\n', stderr: '' });
  });
});
