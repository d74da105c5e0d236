import { z } from "zod";
import { col, defineQuery } from "../catalog.ts";
import { dt } from "./params.ts";

/** Queries the recommendations need beyond attribution (`queries/recommendation/`). */
export const natDestinations = defineQuery({
  name: "nat_destinations",
  area: "recommendation",
  params: z.object({ dt }),
  paramOrder: ["dt", "dt"],
  row: z.object({ outside_ip: col.string, aws_service: col.nullableString, bytes: col.int }),
});
