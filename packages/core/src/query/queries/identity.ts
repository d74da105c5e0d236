import { z } from "zod";
import { col, defineQuery } from "../catalog.ts";
import { dt } from "./params.ts";

/** A build-identity run id: one S3 folder name (`run=<id>`), lower-case letters, digits and `_`. */
export const identityRunId = z.string().regex(/^[a-z0-9_]{1,64}$/, "a run id, [a-z0-9_]{1,64}");

/** Queries over address identity (`queries/identity/`). */
export const ipIdentityFromStaging = defineQuery({
  name: "ip_identity_from_staging",
  area: "identity",
  params: z.object({ dt, run: identityRunId }),
  paramOrder: ["dt", "run"],
  row: z.object({
    cluster: col.string,
    ip: col.string,
    kind: col.string,
    owner_id: col.string,
    namespace: col.nullableString,
    pod_name: col.nullableString,
    workload_kind: col.string,
    workload: col.string,
    node: col.nullableString,
    az_id: col.nullableString,
    resource_id: col.nullableString,
    service: col.nullableString,
    valid_from: col.int,
    valid_to: col.int,
    dt: col.string,
  }),
  partitionedBy: ["dt"],
});

/** Node name -> EC2 instance id for a day, from the node rows of `ip_identity`. */
export const nodeInstances = defineQuery({
  name: "node_instances",
  area: "identity",
  params: z.object({ dt }),
  paramOrder: ["dt"],
  row: z.object({ node: col.string, instance_id: col.string }),
});
