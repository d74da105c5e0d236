import type { DaySummary } from "../results/day-summary.ts";
import type { ResultsStore } from "../results/store.ts";

/**
 * Parsed day documents kept between requests: a request reads up to 92 days, and parsing a large
 * cluster's day takes longer than serving it. Every `ttlMs` one listing revalidates the cache
 * (each document's version: size and modification time); a day is parsed again only when its
 * version changed, so a re-run of the attribute job shows within `ttlMs`.
 */
export class DayCache {
  private listed: { at: number; versions: Map<string, string> } | undefined;
  private listing: Promise<Map<string, string>> | undefined;
  private readonly parsed = new Map<string, { version: string; doc: Promise<DaySummary | undefined> }>();

  constructor(
    private readonly store: ResultsStore,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Days with results and their versions, revalidated at most every `ttlMs`. */
  async versions(): Promise<Map<string, string>> {
    if (this.listed && this.now() - this.listed.at < this.ttlMs) return this.listed.versions;
    // Concurrent requests share one listing.
    this.listing ??= this.store
      .listDayVersions()
      .then((entries) => {
        const versions = new Map(entries.map((e) => [e.dt, e.version]));
        this.listed = { at: this.now(), versions };
        for (const dt of this.parsed.keys()) if (!versions.has(dt)) this.parsed.delete(dt);
        return versions;
      })
      .finally(() => {
        this.listing = undefined;
      });
    return this.listing;
  }

  async days(): Promise<string[]> {
    return [...(await this.versions()).keys()].sort();
  }

  /**
   * One day's document, parsed once per version. An empty version (a backend that cannot tell)
   * parses again on each revalidation.
   */
  async day(dt: string): Promise<DaySummary | undefined> {
    const versions = await this.versions();
    const version = versions.get(dt);
    if (version === undefined) return undefined;
    const cached = this.parsed.get(dt);
    const fresh = version !== "" && cached?.version === version;
    if (cached && (fresh || (version === "" && this.listed && cached.version === `@${this.listed.at}`)))
      return cached.doc;
    const doc = this.store.readDay(dt);
    this.parsed.set(dt, { version: version === "" ? `@${this.listed?.at ?? 0}` : version, doc });
    doc.catch(() => this.parsed.delete(dt));
    return doc;
  }

  /** A fingerprint of everything cached: responses computed from the same documents share it. */
  async fingerprint(): Promise<string> {
    const versions = await this.versions();
    return [...versions].map(([dt, v]) => `${dt}=${v || `@${this.listed?.at ?? 0}`}`).join(";");
  }
}
