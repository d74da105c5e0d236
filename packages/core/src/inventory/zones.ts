import { z } from "zod";
import { InvalidInputError } from "../errors.ts";
import type { Node } from "./kubernetes.ts";

/**
 * AZ names (`us-east-1a`) map to physical zones per account; AZ IDs (`use1-az4`) do not.
 * Everything is normalised to the ID (aws-facts.md §7.2).
 */
export const describeAvailabilityZonesSchema = z.object({
  AvailabilityZones: z.array(z.looseObject({ ZoneName: z.string(), ZoneId: z.string() })),
});

export type ZoneIdByName = ReadonlyMap<string, string>;

/** `aws ec2 describe-availability-zones` output -> AZ name -> ID. `source` names the file in errors. */
export function zoneMapFrom(json: unknown, source = "describe-availability-zones"): ZoneIdByName {
  const parsed = describeAvailabilityZonesSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidInputError(`${source}: not the AWS CLI's output shape (${parsed.error.message})`, {
      cause: parsed.error,
    });
  }
  return new Map(parsed.data.AvailabilityZones.map((z) => [z.ZoneName, z.ZoneId]));
}

const AZ_ID = /^[a-z]{2,}[0-9]?-az[0-9]+$/;

/** A node's AZ name, from the zone labels or from `spec.providerID` (`aws:///<az>/<instance>`). */
export function nodeZoneName(node: Node): string | undefined {
  const labels = node.metadata.labels ?? {};
  const fromLabel = labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"];
  if (fromLabel) return fromLabel;
  const provider = /^aws:\/\/\/([^/]+)\//.exec(node.spec?.providerID ?? "");
  return provider?.[1] && !AZ_ID.test(provider[1]) ? provider[1] : undefined;
}

/**
 * A node's Region: the `topology.kubernetes.io/region` label the cloud controller sets, else its
 * zone name less the zone letter (a Region's AZ names are the Region code and a letter).
 */
export function nodeRegion(node: Node): string | undefined {
  const labels = node.metadata.labels ?? {};
  const fromLabel =
    labels["topology.kubernetes.io/region"] ?? labels["failure-domain.beta.kubernetes.io/region"];
  if (fromLabel) return fromLabel;
  const zone = nodeZoneName(node);
  return zone && /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(zone) ? zone.slice(0, -1) : undefined;
}

/**
 * A node's AZ ID: the `topology.k8s.aws/zone-id` label when the cloud controller set it,
 * otherwise its zone name mapped through DescribeAvailabilityZones. Undefined when neither
 * is known: callers report that rather than guess.
 */
export function nodeZoneId(node: Node, zones: ZoneIdByName): string | undefined {
  const label = node.metadata.labels?.["topology.k8s.aws/zone-id"];
  if (label) return label;
  const name = nodeZoneName(node);
  return name ? zones.get(name) : undefined;
}
