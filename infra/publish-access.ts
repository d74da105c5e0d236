/**
 * What the publishing jobs may touch, as plain data: `infra/jobs.ts` turns it into IAM statements,
 * and a unit test runs each job against recording fakes and checks every call it makes is granted
 * here and every grant here is used (test/unit/infra/publish-access.test.ts). Neither job links the
 * Athena catalog: they read results documents, not tables.
 */
export interface LakeAccess {
  /** Prefixes of the lake bucket the job reads (s3:GetObject). */
  readonly read: ReadonlyArray<string>;
  /** Prefixes it writes (s3:PutObject), replacing whole objects. */
  readonly write: ReadonlyArray<string>;
  /** Other actions, on every resource (services without resource-level permissions). */
  readonly other: ReadonlyArray<string>;
}

export const PUBLISH_JOB_ACCESS = {
  "weekly-report": {
    read: ["results/summary/", "results/recommendations/"],
    write: ["reports/weekly/"],
    other: [],
  },
  regressions: {
    // Its own state: what was alerted, the Cost Explorer cache and cross-check.
    read: ["results/summary/", "state/regressions/", "state/cost-explorer/"],
    write: ["state/regressions/", "state/cost-explorer/"],
    // Cost Explorer has no resource-level permissions (aws-facts.md §5).
    other: ["ce:GetCostAndUsage"],
  },
} as const satisfies Record<string, LakeAccess>;

/** A valid IANA time zone (what EventBridge Scheduler accepts for a schedule's time zone). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
