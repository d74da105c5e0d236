import { crossAzSavings, kubectlPatch } from "../changes.ts";
import { baseRecommendation, check, type RecommendationInput, recommendIfWorthIt } from "../context.ts";
import type { Recommendation } from "../types.ts";
import { loadBalancerTarget, loadBalancerViews } from "./load-balancers.ts";

/**
 * Catalogue item 6a: target type `ip` instead of `instance`. Instance targets send every request
 * to a node's NodePort, and kube-proxy forwards it to a pod that may sit in another AZ; ip targets
 * are the pods themselves. Saves the cross-AZ NodePort hop bytes tagged with the load balancer.
 */
export function lbIpTargetMode(input: RecommendationInput): Recommendation[] {
  const out: Recommendation[] = [];
  for (const v of loadBalancerViews(input)) {
    const hops = v.rows.filter((r) => r.subcategory === "nodeport");
    const groups = input.aws.targetGroups?.filter((g) =>
      (g.LoadBalancerArns ?? []).some((a) => a === v.arn || a === v.id),
    );
    const instanceGroups = groups?.filter((g) => g.TargetType === "instance") ?? [];
    if (hops.length === 0 && instanceGroups.length === 0) continue;
    const cross = hops.filter((r) => r.category === "cross_az");
    const rec = baseRecommendation(input, "lb_ip_target_mode", loadBalancerTarget(input, v), cross);
    const { savings, net } = crossAzSavings(
      input,
      rec.evidence.bytes,
      "cross-AZ NodePort hop bytes (node -> pod behind the load balancer)",
    );
    rec.savings = savings;
    const podIps = new Set(
      (input.kubernetes?.pods ?? [])
        .filter((x) => !x.spec?.hostNetwork)
        .map((x) => x.status?.podIP)
        .filter(Boolean),
    );
    const onEnis = (input.aws.networkInterfaces ?? [])
      .flatMap((e) => (e.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress))
      .filter((ip) => podIps.has(ip)).length;
    rec.preconditions = [
      check(
        "instance targets",
        "a target group of type instance",
        groups
          ? groups.map((g) => `${g.TargetGroupArn.split(":").pop()}: ${g.TargetType ?? "?"}`).join(", ") ||
              "none"
          : "not captured",
        instanceGroups.length > 0,
      ),
      check(
        "pods have VPC addresses",
        "pod IPs are VPC addresses (VPC CNI), so the load balancer can target them",
        input.aws.networkInterfaces
          ? `${onEnis} of ${podIps.size} pod IPs are secondary IPs of node ENIs`
          : "not checked (no describe-network-interfaces)",
        input.aws.networkInterfaces ? onEnis > 0 : true,
      ),
      check(
        "managed by the AWS Load Balancer Controller",
        "owner tags naming the Service or Ingress",
        v.owner ? `${v.owner.kind} ${v.owner.namespace}/${v.owner.name}` : "no owner tags",
        v.owner !== undefined,
      ),
    ];
    const owner = v.owner;
    if (owner)
      rec.change =
        owner.kind === "Ingress"
          ? kubectlPatch("Ingress", owner.namespace, owner.name, {
              metadata: { annotations: { "alb.ingress.kubernetes.io/target-type": "ip" } },
            })
          : kubectlPatch("Service", owner.namespace, owner.name, {
              metadata: {
                annotations: { "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip" },
              },
            });
    rec.title = `Switch ${v.name}${owner ? ` (${owner.kind} ${owner.namespace}/${owner.name})` : ""} to ip targets: no NodePort hop across AZs`;
    rec.risk =
      "The controller registers a new target group of pod IPs and drains the old one: security groups must let the load balancer reach the pods' ports, and connections drain during the switch.";
    rec.implementationEffort = "Low";
    if (!groups) rec.reason = "needs describe-target-groups (the target type)";
    else if (instanceGroups.length === 0) {
      rec.status = "applied";
      rec.reason = "applied: no instance target group";
    } else if (!owner)
      rec.reason = "needs the owning Service or Ingress (AWS Load Balancer Controller tags, describe-tags)";
    else recommendIfWorthIt(rec, input, net);
    out.push(rec);
  }
  return out;
}
