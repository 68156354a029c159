/**
 * The parts of a Dockerfile CAT reads from the built image: labels, environment and entrypoint. CAT asks
 * the image; without Docker here we read the instructions that make it (the last one of each wins, as in
 * the image).
 */
export interface DockerfileFacts {
  labels: Record<string, string>;
  env: Record<string, string>;
  /** Exec form as a list; shell form as ['/bin/sh', '-c', text]. */
  entrypoint?: string[];
}

const unquote = (text: string) => (/^".*"$/.test(text) ? (JSON.parse(text) as string) : /^'.*'$/.test(text) ? text.slice(1, -1) : text);

/** `k=v k2="v 2"` pairs. */
function pairs(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push([unquote(m[1]), unquote(m[2])]);
  return out;
}

export function parseDockerfile(text: string): DockerfileFacts {
  const facts: DockerfileFacts = { labels: {}, env: {} };
  // Join continuation lines, drop comments.
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of lines) {
    const [, instruction, rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    switch (instruction?.toUpperCase()) {
      case 'LABEL':
        for (const [k, v] of pairs(rest)) facts.labels[k] = v;
        break;
      case 'ENV':
        if (/^[^\s=]+=/.test(rest)) for (const [k, v] of pairs(rest)) facts.env[k] = v;
        else {
          const [, k, v] = /^(\S+)\s+(.*)$/.exec(rest) ?? [];
          if (k) facts.env[k] = v;
        }
        break;
      case 'ENTRYPOINT':
        facts.entrypoint = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : ['/bin/sh', '-c', rest];
        break;
    }
  }
  return facts;
}
