/**
 * Request sharing: a list read twice in one run — for itself, and as the parent of a selected child
 * (campaigns and campaign_actions) — asks the API once. The first of the two readers sends each request, the
 * second takes the same answer (a copy, so neither reader's transform can touch the other's records).
 * Requests are matched whole (method, path, query, body), so pages that differ are simply both sent.
 */
import type { HttpClient, HttpRequest, HttpResponse } from './http.js';
import type { StreamDefinition } from './types.js';

export class SharedRequests {
  /** Streams read for themselves and as a selected child's parent. */
  private readonly shared = new Set<string>();
  /** Answers of their requests, until both readers took them. */
  private readonly answers = new Map<string, { answer: Promise<HttpResponse>; taken: number }>();

  constructor(private readonly http: HttpClient) {}

  /** Every stream of the run, before any is read: a selected stream that is also a selected stream's parent is shared. */
  plan(definitions: StreamDefinition[]): void {
    const selected = new Set(definitions.map((d) => d.name));
    for (const definition of definitions) {
      const parent = definition.parent?.stream;
      if (parent && parent.name !== definition.name && selected.has(parent.name)) this.shared.add(parent.name);
    }
  }

  /** Sends `request` for `stream`: once for both readers when the stream is shared, else as it is. */
  send(stream: string, request: HttpRequest): Promise<HttpResponse> {
    return this.shared.has(stream) ? this.sharedAnswer(request) : this.http.request(request);
  }

  private async sharedAnswer(request: HttpRequest): Promise<HttpResponse> {
    const key = JSON.stringify([request.method, request.path, request.query, request.body]);
    let entry = this.answers.get(key);
    if (!entry) {
      entry = { answer: this.http.request(request), taken: 0 };
      this.answers.set(key, entry);
    }
    const second = ++entry.taken >= 2;
    if (second) this.answers.delete(key);
    const answer = await entry.answer;
    return second ? { ...answer, body: structuredClone(answer.body) } : answer;
  }
}
