/**
 * "Did you mean …?": the names closest to what a person typed (a stream, a table, a command), by edit distance.
 * Pure, so the rule is a table test.
 */

/** Levenshtein distance: insertions, deletions and substitutions, each 1 (case ignored). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[t.length];
}

/**
 * The candidates closest to `typed`, best first (at most `limit`): within a third of the longer name's length (at
 * least 2 edits), or one that starts with what was typed, or is started by it (`campaign` → `campaigns`,
 * `campaign_action` → `campaign_actions`, `activities_event` → `activities`). Empty when nothing is near.
 */
export function nearest(typed: string, candidates: Iterable<string>, limit = 3): string[] {
  const word = typed.trim().toLowerCase();
  if (word === '') return [];
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of new Set(candidates)) {
    const lower = name.toLowerCase();
    if (lower === word) continue;
    const distance = editDistance(word, lower);
    const within = distance <= Math.max(2, Math.floor(Math.max(word.length, lower.length) / 3));
    // A prefix either way is near whatever its length: a half-typed name, or a name with a suffix too many.
    const prefix = word.length >= 3 && (lower.startsWith(word) || word.startsWith(lower));
    if (within || prefix) scored.push({ name, score: distance - (prefix ? 0.5 : 0) });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((s) => s.name);
}

/** `did you mean "a" or "b"?`, or undefined when nothing is near. */
export function didYouMean(typed: string, candidates: Iterable<string>): string | undefined {
  const near = nearest(typed, candidates, 2);
  if (near.length === 0) return undefined;
  return `did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`;
}
