import type { ResultRow } from "../../allocation/reconcile.ts";
import { LOAD_BALANCER_OWNER_TAGS, type LoadBalancer, loadBalancerOwner } from "../../inventory/eni.ts";
import type { RecommendationInput } from "../context.ts";
import type { RecommendationTarget } from "../types.ts";

export interface LoadBalancerView {
  /** As result rows name it (the ARN with describe-load-balancers, else `app|net/<name>/<id>`). */
  readonly id: string;
  readonly arn: string | undefined;
  readonly name: string;
  readonly type: "network" | "application" | "unknown";
  readonly lb: LoadBalancer | undefined;
  readonly owner: { kind: "Service" | "Ingress"; namespace: string; name: string } | undefined;
  readonly rows: ResultRow[];
}

/** A recommendation target naming the load balancer (its ARN when described) and its owner's namespace. */
export function loadBalancerTarget(input: RecommendationInput, v: LoadBalancerView): RecommendationTarget {
  return {
    type: "LoadBalancer",
    cluster: input.cluster,
    namespace: v.owner?.namespace ?? null,
    kind: v.type === "network" ? "NLB" : v.type === "application" ? "ALB" : "LoadBalancer",
    name: v.name,
    resourceId: v.arn ?? v.id,
  };
}

const shortOf = (id: string) => /loadbalancer\/(.+)$/.exec(id)?.[1] ?? id;

/** Every load balancer the rows name, with what describe-load-balancers and its tags say. */
export function loadBalancerViews(input: RecommendationInput): LoadBalancerView[] {
  const ids = [
    ...new Set(input.rows.map((r) => r.load_balancer).filter((l): l is string => l !== null)),
  ].sort();
  return ids.map((id) => {
    const lb = input.aws.loadBalancers?.find(
      (l) => l.LoadBalancerArn === id || l.LoadBalancerArn.endsWith(`/${shortOf(id)}`),
    );
    const tags = lb ? input.aws.loadBalancerTags?.get(lb.LoadBalancerArn) : undefined;
    const owner = loadBalancerOwner(tags).service;
    const ownerKind = tags?.[LOAD_BALANCER_OWNER_TAGS.ingress] ? "Ingress" : "Service";
    const [namespace, name] = owner?.split("/") ?? [];
    const short = shortOf(id);
    const type =
      lb?.Type === "network" || short.startsWith("net/")
        ? "network"
        : lb?.Type === "application" || short.startsWith("app/")
          ? "application"
          : "unknown";
    return {
      id,
      arn: lb?.LoadBalancerArn,
      name: lb?.LoadBalancerName ?? short.split("/")[1] ?? short,
      type,
      lb,
      owner: namespace && name ? { kind: ownerKind, namespace, name } : undefined,
      rows: input.rows.filter((r) => r.load_balancer === id),
    };
  });
}
