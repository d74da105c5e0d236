import { z } from "zod";

/** Parameter types shared by several queries. */
export const dt = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a UTC date, YYYY-MM-DD");
export const hour = z.string().regex(/^([01]\d|2[0-3])$/, "an hour, 00-23");
export const epochSeconds = z.number().int().nonnegative();

/**
 * The account and Region a query reads (a lake may hold several: an Organization's central
 * flow-log bucket, a payer's CUR). `*` reads every one; a record without an account reads as ''.
 */
export const ALL_PLACES = "*";
export const scopeAccount = z
  .string()
  .regex(/^(\*|\d{12}|[A-Za-z0-9_-]{0,32})$/, "an AWS account id, or * for every account")
  .default(ALL_PLACES);
export const scopeRegion = z
  .string()
  .regex(/^(\*|[a-z0-9-]{0,32})$/, "a Region code such as us-west-2, or * for every Region")
  .default(ALL_PLACES);
/**
 * 1: the place also takes its Region's records whose account-id is not an account id (`unknown`
 * on ENIs that AWS services create for NLBs and VPC endpoints, or no account-id in the format).
 */
export const claimsUnaccounted = z.union([z.literal(0), z.literal(1)]).default(0);
