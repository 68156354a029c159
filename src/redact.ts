/**
 * The one secret redactor (stdout lines, sync's file and stderr, error details). A secret is replaced by `****`
 * wherever it appears whole, and so is any part of it that begins it and is at least MIN_REDACTED_PREFIX
 * characters long: a message cut short (an API that echoes the Authorization header, cut at 300 characters)
 * must not print the key's first half either. Each secret is matched as written, as JSON escapes it (inside a
 * JSON line) and as a URL encodes it (a query string, a form body).
 */
export type Redactor = (text: string) => string;

/** A leading part of a secret this long or longer is redacted like the whole (shorter secrets only whole). */
export const MIN_REDACTED_PREFIX = 8;
/** Shorter secrets are not redacted at all: `****` everywhere `abc` appears would hide more than it protects. */
const MIN_SECRET = 4;

/** The forms a secret can take in a printed text. */
function formsOf(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
}

/** `text` with every run that begins `form` and follows it for at least `min` characters replaced by `****`. */
function redactRuns(text: string, form: string, min: number): string {
  const head = form.slice(0, min);
  let at = text.indexOf(head);
  if (at < 0) return text;
  let out = '';
  let from = 0;
  while (at >= 0) {
    let end = at + head.length;
    while (end - at < form.length && text[end] === form[end - at]) end++;
    out += `${text.slice(from, at)}****`;
    from = end;
    at = text.indexOf(head, from);
  }
  return out + text.slice(from);
}

export function redactorFor(secrets: Array<string | undefined>): Redactor {
  const given = secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET);
  // Longest first, so a secret that contains another is replaced whole.
  const forms = [...new Set(given.flatMap(formsOf))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const form of forms) out = redactRuns(out, form, Math.min(form.length, MIN_REDACTED_PREFIX));
    return out;
  };
}

/** A URL without its `user:password@` part; values that are not URLs lose anything before an `@` in the authority. */
export function withoutCredentials(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    const url = new URL(value);
    if (!url.username && !url.password) return value;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    // Not a URL the WHATWG parser accepts: cut `scheme://…@` by hand rather than pass a secret on.
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  }
}
