import { awsCli, crossAzSavings, kubectlPatch } from "../changes.ts";
import {
  baseRecommendation,
  check,
  nodeZones,
  type RecommendationInput,
  recommendIfWorthIt,
} from "../context.ts";
import type { Recommendation } from "../types.ts";
import { loadBalancerTarget, loadBalancerViews } from "./load-balancers.ts";
import { BALANCE_TOLERANCE, zonesText } from "./zone-balance.ts";

const CROSS_ZONE = "load_balancing.cross_zone.enabled";
const ATTRIBUTES_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-attributes";

/**
 * Catalogue item 6b: NLB cross-zone off where clients are balanced across the NLB's zones and
 * every zone has targets. NLB nodes then send only to their own zone's targets, so the NLB ->
 * target bytes that crossed AZs (billed, unlike ALB's) stop crossing.
 */
export function nlbCrossZoneOff(input: RecommendationInput): Recommendation[] {
  const out: Recommendation[] = [];
  for (const v of loadBalancerViews(input)) {
    if (v.type !== "network") continue;
    const crossing = v.rows.filter((r) => r.subcategory === "nlb_cross_zone");
    const attrs = v.arn ? input.aws.loadBalancerAttributes?.get(v.arn) : undefined;
    const enabled = attrs?.[CROSS_ZONE];
    if (crossing.length === 0 && enabled !== "true") continue;
    const rec = baseRecommendation(input, "nlb_cross_zone_off", loadBalancerTarget(input, v), crossing);
    // Client bytes into the NLB by the zone of the NLB node that took them.
    const clients: Record<string, number> = {};
    for (const r of v.rows)
      if (r.subcategory === "client" && r.dst_kind === "load_balancer" && r.dst_az_id)
        clients[r.dst_az_id] = (clients[r.dst_az_id] ?? 0) + r.bytes;
    const zones = Object.keys(clients).sort();
    const total = zones.reduce((s, z) => s + (clients[z] ?? 0), 0);
    const worst = zones.reduce((m, z) => Math.max(m, ((clients[z] ?? 0) / (total || 1)) * zones.length), 0);
    const groups = input.aws.targetGroups?.filter((g) => (g.LoadBalancerArns ?? []).some((a) => a === v.arn));
    const instance = groups?.some((g) => g.TargetType === "instance");
    const targets: Record<string, number> = {};
    if (instance) for (const z of nodeZones(input).values()) targets[z] = (targets[z] ?? 0) + 1;
    const tgOverride = groups
      ?.map((g) => input.aws.targetGroupAttributes?.get(g.TargetGroupArn)?.[CROSS_ZONE])
      .find((x) => x === "true" || x === "false");
    rec.evidence.clientZones = clients;
    rec.evidence.endpointsPerZone = instance ? targets : null;
    rec.preconditions = [
      check(
        "cross-zone on",
        `${CROSS_ZONE}=true`,
        enabled === undefined
          ? "not captured"
          : `${CROSS_ZONE}=${enabled}${tgOverride ? `; target group ${tgOverride}` : ""}`,
        enabled === "true" || tgOverride === "true",
      ),
      check(
        "clients balanced across zones",
        `each zone at most ${BALANCE_TOLERANCE}x an even share of client bytes`,
        total ? `${zonesText(clients)} (worst ${worst.toFixed(2)}x)` : "no client bytes",
        total > 0 && worst <= BALANCE_TOLERANCE,
      ),
      check(
        "targets in every zone",
        "at least one target in each of the NLB's zones",
        instance ? zonesText(targets) : "ip targets: see the Service's endpoints",
        instance ? zones.every((z) => (targets[z] ?? 0) > 0) : false,
      ),
    ];
    const { savings, net } = crossAzSavings(input, rec.evidence.bytes, "NLB -> target bytes across AZs");
    rec.savings = savings;
    const owner = v.owner;
    const service =
      owner?.kind === "Service"
        ? input.kubernetes?.services.find(
            (s) => s.metadata.name === owner.name && (s.metadata.namespace ?? "default") === owner.namespace,
          )
        : undefined;
    const current = service?.metadata.annotations?.[ATTRIBUTES_ANNOTATION];
    const kept = (current ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x && !x.startsWith(`${CROSS_ZONE}=`));
    const cli = `aws elbv2 modify-load-balancer-attributes --load-balancer-arn ${v.arn ?? v.id} --attributes Key=${CROSS_ZONE},Value=false`;
    rec.change =
      owner?.kind === "Service"
        ? kubectlPatch(
            "Service",
            owner.namespace,
            owner.name,
            {
              metadata: {
                annotations: { [ATTRIBUTES_ANNOTATION]: [...kept, `${CROSS_ZONE}=false`].join(",") },
              },
            },
            [{ option: "without the controller", text: cli }],
          )
        : awsCli(cli);
    rec.title = `Turn cross-zone off on ${v.name}${owner ? ` (${owner.kind} ${owner.namespace}/${owner.name})` : ""}`;
    rec.risk =
      "Each NLB node then sends only to targets in its own zone: a zone whose targets fail or are few takes its clients' whole share, and clients resolving only one zone's address lose the others.";
    rec.implementationEffort = "VeryLow";
    const failed = rec.preconditions.filter((c) => !c.met);
    if (enabled === undefined && tgOverride === undefined)
      rec.reason = "needs describe-load-balancer-attributes (whether cross-zone is on)";
    else if (enabled !== "true" && tgOverride !== "true") {
      rec.status = "applied";
      rec.reason = "applied: cross-zone is off";
    } else if (failed.length) rec.reason = failed.map((c) => `${c.name}: ${c.observed}`).join("; ");
    else recommendIfWorthIt(rec, input, net);
    out.push(rec);
  }
  return out;
}
