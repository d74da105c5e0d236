import { cents, gbOf, HOURS_PER_MONTH, MONTH_DAYS, type RecommendationInput, windowDays } from "./context.ts";
import type { Change, SavingsInputs } from "./types.ts";

/**
 * `kubectl patch <kind> <name> -n <ns> --type merge -p '<json>'`: the patch is a JSON merge
 * patch (RFC 7386), kept beside the text so that tests (and tools) can apply it to the object.
 */
export function kubectlPatch(
  kind: string,
  namespace: string,
  name: string,
  patch: Record<string, unknown>,
  alternatives: Change["alternatives"] = [],
): Change {
  return {
    format: "kubectl",
    text: `kubectl patch ${kind.toLowerCase()} ${name} -n ${namespace} --type merge -p '${JSON.stringify(patch)}'`,
    patch,
    alternatives,
  };
}

export function awsCli(text: string, alternatives: Change["alternatives"] = []): Change {
  return { format: "aws-cli", text, patch: null, alternatives };
}

export interface SavingsPart {
  readonly bytes: number;
  readonly perGb: number;
}
export interface AddedHours {
  readonly item: string;
  readonly count: number;
  readonly pricePerHour: number;
}

/**
 * Monthly savings from measured bytes: each part's bytes over the window, priced per GB and
 * extrapolated to 30 days, minus the hourly items the change adds for a 30-day month.
 */
export function savingsOf(
  input: RecommendationInput,
  formula: string,
  parts: ReadonlyArray<SavingsPart>,
  prices: Record<string, number>,
  added: ReadonlyArray<AddedHours> = [],
): { savings: SavingsInputs; net: number } {
  const days = windowDays(input);
  const gross = days > 0 ? parts.reduce((s, p) => s + gbOf(p.bytes) * p.perGb, 0) * (MONTH_DAYS / days) : 0;
  const addedCost = added.reduce((s, a) => s + a.count * HOURS_PER_MONTH * a.pricePerHour, 0);
  const net = gross - addedCost;
  return {
    net: cents(net),
    savings: {
      formula,
      measuredBytes: parts.reduce((s, p) => s + p.bytes, 0),
      windowDays: days,
      monthDays: MONTH_DAYS,
      prices,
      addedHours: added.map((a) => ({
        item: a.item,
        count: a.count,
        hoursPerMonth: HOURS_PER_MONTH,
        pricePerHour: a.pricePerHour,
      })),
      grossMonthlySavingsUsd: cents(gross),
      addedMonthlyCostUsd: cents(addedCost),
    },
  };
}

/**
 * Savings of bytes that stop crossing AZs: both billed sides (out at the sender, in at the
 * receiver) per GB. `what` names the bytes in the formula.
 */
export function crossAzSavings(input: RecommendationInput, bytes: number, what: string) {
  const perGb = input.prices.interAzPerGbEachDirection;
  const [head, ...tail] = what.split(";");
  return savingsOf(
    input,
    `${head} / window days x 30 x (inter-AZ $/GB out + in)${tail.length ? `;${tail.join(";")}` : ""}`,
    [{ bytes, perGb: 2 * perGb }],
    { interAzPerGbEachDirection: perGb },
  );
}
