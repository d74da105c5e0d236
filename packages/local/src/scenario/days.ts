import { hex, seededRandom } from "./random.ts";
import type { Cluster, SimPod, SimWorkload } from "./topology.ts";
import type { TrafficEdge } from "./traffic.ts";

/**
 * Several UTC days of the same cluster, for the weekly report and regression alerts: the same
 * window each day (two hours is enough), quieter weekends, a change from the second week on, and
 * a planted jump on the last day. Everything here is a pure function of the day's index and date,
 * so the generator's truth per day stays exact.
 */

/** Weekend traffic as a share of a weekday's (Saturday and Sunday, UTC). */
export const WEEKEND_FACTOR = 0.6;

/** From the 8th generated day on, the storefront calls the catalog this much more (a launch). */
export const SECOND_WEEK_CHANGE = {
  from: "shop/frontend",
  to: "shop/catalog",
  factor: 1.5,
  firstDayIndex: 7,
} as const;

/**
 * The planted regression: a new Deployment rolled out on the last day pulls the catalog across
 * AZs (its one pod sits in a zone with no catalog pod), so the last day's cross-AZ bill jumps and
 * a workload nobody saw before is behind it. Cross-AZ traffic between pods is attributed exactly
 * under any SNAT mode, so the alert can name the workload.
 */
export const PLANTED_WORKLOAD: SimWorkload = { namespace: "analytics", kind: "Deployment", name: "exporter" };
export const PLANTED_EDGE: TrafficEdge = {
  from: "analytics/exporter",
  to: "shop/catalog",
  port: 8080,
  requestBytesPerMinute: 150_000_000,
  responseRatio: 40,
};

export interface ScenarioDay {
  readonly index: number;
  /** `YYYY-MM-DD` (UTC). */
  readonly dt: string;
  /** Unix seconds. */
  readonly start: number;
  readonly end: number;
  readonly weekend: boolean;
  /** Every traffic amount of the day is multiplied by this (weekends are quieter). */
  readonly scale: number;
  /** The last day of a multi-day scenario carries the planted regression. */
  readonly planted: boolean;
}

/** The `days` UTC days ending on `lastDay`, each with the same window. */
export function scenarioDays(
  lastDay: string,
  days: number,
  startHour: number,
  hours: number,
  plant: boolean,
): ScenarioDay[] {
  if (!Number.isInteger(days) || days < 1)
    throw new RangeError(`days must be a whole number >= 1, got ${days}`);
  const last = Date.parse(`${lastDay}T00:00:00Z`) / 1000;
  return Array.from({ length: days }, (_, index) => {
    const midnight = last - (days - 1 - index) * 86400;
    const weekday = new Date(midnight * 1000).getUTCDay();
    const weekend = days > 1 && (weekday === 0 || weekday === 6);
    return {
      index,
      dt: new Date(midnight * 1000).toISOString().slice(0, 10),
      start: midnight + startHour * 3600,
      end: midnight + (startHour + hours) * 3600,
      weekend,
      scale: weekend ? WEEKEND_FACTOR : 1,
      planted: plant && days > 1 && index === days - 1,
    };
  });
}

/** The day's edges: scaled by its level, the second-week change applied, the plant added. */
export function edgesForDay(edges: ReadonlyArray<TrafficEdge>, day: ScenarioDay): TrafficEdge[] {
  const scaled = edges.map((e) => {
    const changed =
      day.index >= SECOND_WEEK_CHANGE.firstDayIndex &&
      e.from === SECOND_WEEK_CHANGE.from &&
      e.to === SECOND_WEEK_CHANGE.to;
    const factor = day.scale * (changed ? SECOND_WEEK_CHANGE.factor : 1);
    return factor === 1 ? e : { ...e, requestBytesPerMinute: e.requestBytesPerMinute * factor };
  });
  return day.planted ? [...scaled, PLANTED_EDGE] : scaled;
}

/**
 * The pods of a multi-day cluster (built for the first day): the cart pod that dies on the first
 * morning is replaced by its ReplicaSet (a new pod with a new address), the nightly CronJob runs
 * every day on the dead pod's address and finishes before the window ends (so one day's job never
 * overlaps the next day's), and the planted workload's pod appears before the last window.
 */
export function multiDayPods(cluster: Cluster, days: ReadonlyArray<ScenarioDay>, seed: number): SimPod[] {
  const random = seededRandom(seed ^ 0x3c6ef372);
  const uuid = () => {
    const h = hex(random, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  const victim = cluster.pods.find((p) => p.workload.name === "cart" && p.deletedAt !== undefined);
  const cron = cluster.pods.find((p) => p.workload.kind === "CronJob");
  if (!victim || !cron || victim.deletedAt === undefined) return cluster.pods;
  const octets = victim.ip.split(".");
  const replacement: SimPod = {
    ...victim,
    uid: uuid(),
    name: `${victim.workload.name}-${victim.ownerSuffix}-${hex(random, 5).replace(/[0-9]/g, "r")}`,
    ip: [...octets.slice(0, 3), String(Number(octets[3]) + 100)].join("."),
    createdAt: victim.deletedAt + 30,
    deletedAt: undefined,
  };
  const jobs = days.map((day): SimPod => {
    const scheduledMinute = Math.floor((day.start + 23 * 60) / 60);
    return {
      ...cron,
      uid: day.index === 0 ? cron.uid : uuid(),
      name:
        day.index === 0
          ? cron.name
          : `${cron.workload.name}-${scheduledMinute}-${hex(random, 5).replace(/[0-9]/g, "x")}`,
      createdAt: day.index === 0 ? cron.createdAt : day.start + 23 * 60,
      deletedAt: day.end - 150,
      ownerSuffix: String(scheduledMinute),
    };
  });
  const pods = cluster.pods.filter((p) => p !== cron);
  const planted = days.find((d) => d.planted);
  if (planted) {
    // A node in the one zone that has no catalog pod, so every byte it pulls crosses an AZ.
    const catalogZones = new Set(
      pods.filter((p) => p.workload.name === "catalog").map((p) => p.node.zone.id),
    );
    const node =
      cluster.nodes.find((n) => !catalogZones.has(n.zone.id)) ?? (cluster.nodes[0] as SimPod["node"]);
    const hash = hex(random, 10).replace(/[0-9]/g, (d) => "bcdfghjklm"[Number(d)] ?? "b");
    pods.push({
      uid: uuid(),
      name: `${PLANTED_WORKLOAD.name}-${hash}-${hex(random, 5).replace(/[0-9]/g, "z")}`,
      workload: PLANTED_WORKLOAD,
      node,
      ip: `10.0.${node.zone.octet + 1}.250`,
      createdAt: planted.start - 3600,
      deletedAt: undefined,
      ownerSuffix: hash,
    });
  }
  return [...pods, replacement, ...jobs];
}
