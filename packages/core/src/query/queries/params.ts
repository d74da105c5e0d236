import { z } from "zod";

/** Parameter types shared by several queries. */
export const dt = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a UTC date, YYYY-MM-DD");
export const hour = z.string().regex(/^([01]\d|2[0-3])$/, "an hour, 00-23");
export const epochSeconds = z.number().int().nonnegative();
