// The analyses a long-lived caller (the extension) keeps for their hops: the most recently
// used few, so that opening capture after capture in one session does not grow memory
// without bound. An analysis let go is released (the worker frees its facts) and made
// again, once, when asked for later.

import type { Analysis } from './client';

export class KeptAnalyses {
  /** In order of use, least recent first. */
  private readonly kept = new Map<string, Analysis>();
  /** Analyses being made, so that concurrent asks share one. */
  private readonly making = new Map<string, Promise<Analysis>>();

  constructor(
    private readonly make: (source: string) => Promise<Analysis>,
    readonly max = 4,
  ) {}

  /** The kept analysis of a source, without making one (marks it used). */
  peek(source: string): Analysis | undefined {
    const a = this.kept.get(source);
    if (a) this.touch(source, a);
    return a;
  }

  /** The analysis of a source: the kept one, else a new one (`fresh`: always a new one). */
  async get(source: string, fresh = false): Promise<Analysis> {
    if (!fresh) {
      const a = this.peek(source);
      if (a) return a;
    }
    const pending = this.making.get(source);
    if (pending) return pending;
    const made = this.make(source).then(
      (a) => {
        this.making.delete(source);
        this.kept.get(source)?.release();
        this.touch(source, a);
        this.evict();
        return a;
      },
      (e: unknown) => {
        this.making.delete(source);
        throw e;
      },
    );
    this.making.set(source, made);
    return made;
  }

  /** Sources kept, least recently used first. */
  sources(): string[] {
    return [...this.kept.keys()];
  }

  releaseAll(): void {
    for (const a of this.kept.values()) a.release();
    this.kept.clear();
  }

  private touch(source: string, a: Analysis): void {
    this.kept.delete(source);
    this.kept.set(source, a);
  }

  private evict(): void {
    while (this.kept.size > this.max) {
      const [oldest, a] = this.kept.entries().next().value as [string, Analysis];
      this.kept.delete(oldest);
      a.release();
    }
  }
}
