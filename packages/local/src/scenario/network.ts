import { seededRandom } from "./random.ts";
import { alive, type Cluster, type SimNode, type SimPod, type Zone } from "./topology.ts";
import {
  addExchange,
  addTruthRow,
  type Billing,
  emitRecord,
  nodeEnd,
  podEnd,
  READY_AFTER_SECONDS,
  type TrafficSink,
  type TruthEnd,
  type TruthTable,
} from "./traffic.ts";

/** An ENI that is not a node's: requester-managed (NAT gateway, load balancer) or cross-account (EKS). */
export interface SimEni {
  readonly eniId: string;
  readonly ip: string;
  readonly zone: Zone;
}

export interface SimNatGateway {
  readonly id: string;
  readonly arn: string;
  readonly eni: SimEni;
  readonly publicIp: string;
}

export interface SimLoadBalancer {
  readonly type: "application" | "network";
  readonly name: string;
  readonly arn: string;
  /** `app/<name>/<id>` or `net/<name>/<id>`, as ENI descriptions and CUR name it. */
  readonly shortId: string;
  /** `namespace/name` of the owning Ingress or Service (AWS Load Balancer Controller tags). */
  readonly owner: string;
  readonly ownerKind: "ingress" | "service";
  readonly targetType: "ip" | "instance";
  readonly targetWorkload: string;
  readonly nodePort: number | undefined;
  readonly enis: SimEni[];
}

/** An interface VPC endpoint (PrivateLink): one requester-managed ENI per AZ, billed per AZ-hour and per GB. */
export interface SimVpcEndpoint {
  readonly id: string;
  /** As CUR names it: `arn:aws:ec2:<region>:<account>:vpc-endpoint/vpce-…`. */
  readonly arn: string;
  readonly serviceName: string;
  readonly enis: SimEni[];
  /** Workloads whose pods call the endpoint. */
  readonly callers: ReadonlyArray<string>;
}

/** The VPC around the cluster: what `describe-*` calls return and what the flow log also records. */
export interface SimNetwork {
  readonly nat: SimNatGateway;
  /** STS through an interface endpoint: IRSA pods trade their service-account token for credentials. */
  readonly vpcEndpoint: SimVpcEndpoint;
  readonly alb: SimLoadBalancer;
  readonly nlb: SimLoadBalancer;
  /** EKS control-plane ENIs (`Amazon EKS <cluster>`), in two AZs. */
  readonly controlPlane: SimEni[];
  /** Whether the VPC CNI keeps pod IPs on traffic leaving the VPC (`AWS_VPC_K8S_CNI_EXTERNALSNAT`). */
  readonly externalSnat: boolean;
  /** A peered database no inventory describes: kept as an unknown address with its IP. */
  readonly unknownPeer: string;
  /** Destinations reached through the NAT gateway (NAT_DESTINATIONS, plus planted ones). */
  readonly natDestinations: ReadonlyArray<NatDestination>;
}

export interface NatDestination {
  readonly from: string;
  readonly ip: string;
  readonly service: string | undefined;
  readonly port: number;
  readonly upPerMinute: number;
  readonly downRatio: number;
}

/** Destinations outside the VPC reached through the NAT gateway, with their `pkt-*-aws-service`. */
export const NAT_DESTINATIONS = [
  {
    from: "shop/catalog",
    ip: "52.216.8.10",
    service: "S3",
    port: 443,
    upPerMinute: 2_000_000,
    downRatio: 25,
  },
  {
    from: "payments/ledger",
    ip: "3.218.180.5",
    service: "DYNAMODB",
    port: 443,
    upPerMinute: 6_000_000,
    downRatio: 2,
  },
  {
    from: "shop/frontend",
    ip: "203.0.113.5",
    service: undefined,
    port: 443,
    upPerMinute: 1_500_000,
    downRatio: 4,
  },
] as const;

const INTERNET_CLIENTS = ["198.51.100.23", "198.51.100.57", "198.51.100.91"];

export function buildNetwork(
  cluster: Cluster,
  externalSnat: boolean,
  extraNatDestinations: ReadonlyArray<NatDestination> = [],
): SimNetwork {
  const [a, b, c] = cluster.zones as [Zone, Zone, Zone];
  const eni = (suffix: string, zone: Zone, host: number): SimEni => ({
    eniId: `eni-0${suffix.padEnd(16, "0").slice(0, 16)}`,
    ip: `10.0.${zone.octet}.${host}`,
    zone,
  });
  const region = cluster.region;
  const account = cluster.accountId;
  const natId = "nat-0a1b2c3d4e5f60718";
  const albName = "k8s-shop-storefro-4f1c2a9b7e";
  const nlbName = "k8s-payments-apipubli-8d3e6b2c1a";
  const albShort = `app/${albName}/5e6f7a8b9c0d1e2f`;
  const nlbShort = `net/${nlbName}/1a2b3c4d5e6f7a8b`;
  const vpceId = "vpce-0e5f6a7b8c9d0e1f2";
  return {
    vpcEndpoint: {
      id: vpceId,
      arn: `arn:aws:ec2:${region}:${account}:vpc-endpoint/${vpceId}`,
      serviceName: `com.amazonaws.${region}.sts`,
      enis: [eni("ee1ee1ee1ee1ee1e", a, 9), eni("ee2ee2ee2ee2ee2e", b, 9), eni("ee3ee3ee3ee3ee3e", c, 9)],
      callers: ["payments/api", "shop/catalog"],
    },
    nat: {
      id: natId,
      arn: `arn:aws:ec2:${region}:${account}:natgateway/${natId}`,
      eni: eni("a7a7a7a7a7a7a7a7", a, 5),
      publicIp: "54.80.10.20",
    },
    alb: {
      type: "application",
      name: albName,
      arn: `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/${albShort}`,
      shortId: albShort,
      owner: "shop/storefront",
      ownerKind: "ingress",
      targetType: "ip",
      targetWorkload: "shop/frontend",
      nodePort: undefined,
      enis: [eni("ab1ab1ab1ab1ab1a", a, 6), eni("ab2ab2ab2ab2ab2a", b, 6), eni("ab3ab3ab3ab3ab3a", c, 6)],
    },
    nlb: {
      type: "network",
      name: nlbName,
      arn: `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/${nlbShort}`,
      shortId: nlbShort,
      owner: "payments/api-public",
      ownerKind: "service",
      targetType: "instance",
      targetWorkload: "payments/api",
      nodePort: 31443,
      enis: [eni("bb1bb1bb1bb1bb1b", a, 7), eni("bb2bb2bb2bb2bb2b", b, 7), eni("bb3bb3bb3bb3bb3b", c, 7)],
    },
    controlPlane: [eni("cc1cc1cc1cc1cc1c", a, 8), eni("cc2cc2cc2cc2cc2c", b, 8)],
    externalSnat,
    unknownPeer: "10.1.5.20",
    natDestinations: [...NAT_DESTINATIONS, ...extraNatDestinations],
  };
}

function eniEnd(kind: string, e: SimEni, resource: string): TruthEnd {
  return { kind, namespace: null, workloadKind: null, workload: null, azId: e.zone.id, node: null, resource };
}

const outside = (service: string | undefined): TruthEnd => ({
  kind: service ? "aws_service" : "internet",
  namespace: null,
  workloadKind: null,
  workload: service ?? null,
  azId: null,
  node: null,
  resource: null,
});

/**
 * Traffic around the pods for one minute: through the NAT gateway (records on the node ENI and
 * on the NAT ENI for both legs, as aws-facts.md §1.10 shows them), through an ALB in ip mode and
 * an NLB in instance mode (with the NodePort hop), kubelet <-> API server, and one flow to an
 * address no inventory explains. Returns nothing: it writes records, the answer key and the bill.
 */
export function networkMinute(
  cluster: Cluster,
  net: SimNetwork,
  minute: number,
  random: () => number,
  sink: TrafficSink,
  truth: TruthTable,
  billing: Billing,
  /** The day's traffic level (multi-day scenarios: weekends are quieter); 1 keeps the amounts. */
  scale = 1,
  options: {
    /**
     * Whether the flow log carries pkt-srcaddr/pkt-dstaddr (false: the default format). Without
     * them the one record of a transfer whose peer is not logged names the sender's node, not
     * its pod, and the truth says so.
     */
    readonly packetAddresses?: boolean;
  } = {},
): void {
  const ready = (pod: SimPod) =>
    alive(pod, minute) && alive(pod, minute + 59) && minute >= pod.createdAt + READY_AFTER_SECONDS;
  const podsOf = (workload: string) =>
    cluster.pods.filter((p) => `${p.workload.namespace}/${p.workload.name}` === workload && ready(p));
  const start = () => minute + Math.floor(random() * 5);
  const end = () => minute + 55 + Math.floor(random() * 5);
  const ephemeral = () => 32768 + Math.floor(random() * 28000);
  const amount = (mean: number) => Math.round(mean * scale * (0.5 + random()));

  // Node/pod-side hop between two VPC addresses, logged at both ENIs.
  const hop = (
    from: { eni: string; ip: string; pkt: string; zone: Zone; subnet: string; instance: string },
    to: { eni: string; ip: string; pkt: string; zone: Zone; subnet: string; instance: string },
    srcport: number,
    dstport: number,
    bytes: number,
    s: number,
    e: number,
  ) => {
    emitRecord(cluster, sink, {
      eni: from.eni,
      srcaddr: from.ip,
      dstaddr: to.pkt,
      srcport,
      dstport,
      protocol: 6,
      bytes,
      start: s,
      end: e,
      subnetId: from.subnet,
      instanceId: from.instance,
      pktSrc: from.pkt,
      pktDst: to.pkt,
      azId: from.zone.id,
      direction: "egress",
    });
    emitRecord(cluster, sink, {
      eni: to.eni,
      srcaddr: from.pkt,
      dstaddr: to.ip,
      srcport,
      dstport,
      protocol: 6,
      bytes,
      start: s,
      end: e,
      subnetId: to.subnet,
      instanceId: to.instance,
      pktSrc: from.pkt,
      pktDst: to.pkt,
      azId: to.zone.id,
      direction: "ingress",
    });
  };
  const atPod = (p: SimPod) => ({
    eni: p.node.eniId,
    ip: p.node.ip,
    pkt: p.ip,
    zone: p.node.zone,
    subnet: p.node.zone.subnetId,
    instance: p.node.instanceId,
  });
  const atNode = (n: SimNode) => ({
    eni: n.eniId,
    ip: n.ip,
    pkt: n.ip,
    zone: n.zone,
    subnet: n.zone.subnetId,
    instance: n.instanceId,
  });
  const atEni = (e: SimEni) => ({
    eni: e.eniId,
    ip: e.ip,
    pkt: e.ip,
    zone: e.zone,
    subnet: e.zone.subnetId,
    instance: "-",
  });
  const interAz = (srcResource: string, srcZone: Zone, dstResource: string, dstZone: Zone, bytes: number) => {
    if (srcZone.id === dstZone.id) return;
    billing.add("inter_az_out", srcResource, bytes);
    billing.add("inter_az_in", dstResource, bytes);
  };

  // NAT gateway: pod -> node ENI -> NAT ENI -> outside, and back.
  const nat = net.nat;
  for (const dest of net.natDestinations) {
    for (const pod of podsOf(dest.from)) {
      const up = amount(dest.upPerMinute);
      const down = Math.round(up * dest.downRatio);
      const port = ephemeral();
      const s = start();
      const e = end();
      // Default SNAT rewrites the pod IP to the node's primary IP before the packet leaves the node.
      const inside = net.externalSnat ? pod.ip : pod.node.ip;
      const svc = dest.service;
      const base = { protocol: 6, start: s, end: e };
      const nodeRec = {
        eni: pod.node.eniId,
        subnetId: pod.node.zone.subnetId,
        instanceId: pod.node.instanceId,
        azId: pod.node.zone.id,
      };
      const natRec = {
        eni: nat.eni.eniId,
        subnetId: nat.eni.zone.subnetId,
        instanceId: "-",
        azId: nat.eni.zone.id,
      };
      // Upload: node ENI egress, then the NAT ENI's instance -> NAT and NAT -> outside records.
      emitRecord(cluster, sink, {
        ...base,
        ...nodeRec,
        srcaddr: pod.node.ip,
        dstaddr: dest.ip,
        srcport: port,
        dstport: dest.port,
        bytes: up,
        pktSrc: inside,
        pktDst: dest.ip,
        direction: "egress",
        dstService: svc,
      });
      emitRecord(cluster, sink, {
        ...base,
        ...natRec,
        srcaddr: inside,
        dstaddr: nat.eni.ip,
        srcport: port,
        dstport: dest.port,
        bytes: up,
        pktSrc: inside,
        pktDst: dest.ip,
        direction: "ingress",
        dstService: svc,
      });
      emitRecord(cluster, sink, {
        ...base,
        ...natRec,
        srcaddr: nat.eni.ip,
        dstaddr: dest.ip,
        srcport: port,
        dstport: dest.port,
        bytes: up,
        pktSrc: nat.eni.ip,
        pktDst: dest.ip,
        direction: "egress",
        dstService: svc,
      });
      // Download: outside -> NAT, NAT -> instance (pkt-srcaddr keeps the outside address), node ENI ingress.
      emitRecord(cluster, sink, {
        ...base,
        ...natRec,
        srcaddr: dest.ip,
        dstaddr: nat.eni.ip,
        srcport: dest.port,
        dstport: port,
        bytes: down,
        pktSrc: dest.ip,
        pktDst: nat.eni.ip,
        direction: "ingress",
        srcService: svc,
      });
      emitRecord(cluster, sink, {
        ...base,
        ...natRec,
        srcaddr: nat.eni.ip,
        dstaddr: inside,
        srcport: dest.port,
        dstport: port,
        bytes: down,
        pktSrc: dest.ip,
        pktDst: inside,
        direction: "egress",
        srcService: svc,
      });
      emitRecord(cluster, sink, {
        ...base,
        ...nodeRec,
        srcaddr: dest.ip,
        dstaddr: pod.node.ip,
        srcport: dest.port,
        dstport: port,
        bytes: down,
        pktSrc: dest.ip,
        pktDst: inside,
        direction: "ingress",
        srcService: svc,
      });

      const internal = net.externalSnat ? podEnd(pod) : nodeEnd(pod.node);
      const far: TruthEnd = { ...outside(svc), azId: nat.eni.zone.id, resource: nat.id };
      const subcategory =
        svc === "S3" ? "s3" : svc === "DYNAMODB" ? "dynamodb" : svc ? "aws-other" : "internet";
      const confidence = net.externalSnat ? "exact" : "node";
      const common = { service: null, loadBalancer: null, natGateway: nat.id, confidence } as const;
      addExchange(truth, { ...common, category: "nat", subcategory, src: internal, dst: far }, up, down);
      billing.add("nat_bytes", nat.arn, up + down);
      if (pod.node.zone.id !== nat.eni.zone.id) {
        addExchange(
          truth,
          { ...common, category: "nat", subcategory: "cross_az_leg", src: internal, dst: far },
          up,
          down,
        );
        interAz(pod.node.instanceId, pod.node.zone, nat.arn, nat.eni.zone, up);
        interAz(nat.arn, nat.eni.zone, pod.node.instanceId, pod.node.zone, down);
      }
    }
  }

  // ALB in ip mode: client -> ALB ENI, ALB ENI -> frontend pod (any AZ: ALB cross-zone is free).
  const alb = net.alb;
  const albTargets = podsOf(alb.targetWorkload);
  alb.enis.forEach((albEni, z) => {
    const target = albTargets[(minute / 60 + z) % Math.max(albTargets.length, 1)];
    const client = INTERNET_CLIENTS[z % INTERNET_CLIENTS.length] as string;
    if (!target) return;
    const request = amount(3_000_000);
    const response = request * 8;
    const port = ephemeral();
    const s = start();
    const e = end();
    const lbEnd = eniEnd("load_balancer", albEni, alb.shortId);
    const common = {
      service: alb.owner,
      loadBalancer: alb.shortId,
      natGateway: null,
      confidence: "exact",
    } as const;
    emitRecord(cluster, sink, {
      eni: albEni.eniId,
      srcaddr: client,
      dstaddr: albEni.ip,
      srcport: port,
      dstport: 443,
      protocol: 6,
      bytes: request,
      start: s,
      end: e,
      subnetId: albEni.zone.subnetId,
      instanceId: "-",
      pktSrc: client,
      pktDst: albEni.ip,
      azId: albEni.zone.id,
      direction: "ingress",
    });
    emitRecord(cluster, sink, {
      eni: albEni.eniId,
      srcaddr: albEni.ip,
      dstaddr: client,
      srcport: 443,
      dstport: port,
      protocol: 6,
      bytes: response,
      start: s,
      end: e,
      subnetId: albEni.zone.subnetId,
      instanceId: "-",
      pktSrc: albEni.ip,
      pktDst: client,
      azId: albEni.zone.id,
      direction: "egress",
    });
    const targetPort = ephemeral();
    hop(atEni(albEni), atPod(target), targetPort, 8080, request, s, e);
    hop(atPod(target), atEni(albEni), 8080, targetPort, response, s, e);
    const internet = outside(undefined);
    addExchange(
      truth,
      { ...common, category: "lb", subcategory: "client", src: internet, dst: lbEnd },
      request,
      response,
    );
    addExchange(
      truth,
      { ...common, category: "lb", subcategory: "target", src: lbEnd, dst: podEnd(target) },
      request,
      response,
    );
    billing.add("lb_bytes", alb.arn, 2 * (request + response));
  });

  // NLB in instance mode, cross-zone on, client IP preservation off: client -> NLB ENI -> any
  // node's NodePort -> kube-proxy -> an api pod, possibly on another node in another AZ.
  const nlb = net.nlb;
  const apiPods = podsOf(nlb.targetWorkload);
  nlb.enis.forEach((nlbEni, z) => {
    const node = cluster.nodes[(minute / 60 + 2 * z) % cluster.nodes.length] as SimNode;
    const pod = apiPods[(minute / 60 + z) % Math.max(apiPods.length, 1)];
    const client = INTERNET_CLIENTS[(z + 1) % INTERNET_CLIENTS.length] as string;
    if (!pod) return;
    const request = amount(1_000_000);
    const response = request * 3;
    const port = ephemeral();
    const s = start();
    const e = end();
    const lbEnd = eniEnd("load_balancer", nlbEni, nlb.shortId);
    const lbCommon = { service: nlb.owner, loadBalancer: nlb.shortId, natGateway: null } as const;
    emitRecord(cluster, sink, {
      eni: nlbEni.eniId,
      srcaddr: client,
      dstaddr: nlbEni.ip,
      srcport: port,
      dstport: 443,
      protocol: 6,
      bytes: request,
      start: s,
      end: e,
      subnetId: nlbEni.zone.subnetId,
      instanceId: "-",
      pktSrc: client,
      pktDst: nlbEni.ip,
      azId: nlbEni.zone.id,
      direction: "ingress",
    });
    emitRecord(cluster, sink, {
      eni: nlbEni.eniId,
      srcaddr: nlbEni.ip,
      dstaddr: client,
      srcport: 443,
      dstport: port,
      protocol: 6,
      bytes: response,
      start: s,
      end: e,
      subnetId: nlbEni.zone.subnetId,
      instanceId: "-",
      pktSrc: nlbEni.ip,
      pktDst: client,
      azId: nlbEni.zone.id,
      direction: "egress",
    });
    const internet = outside(undefined);
    addExchange(
      truth,
      { ...lbCommon, confidence: "exact", category: "lb", subcategory: "client", src: internet, dst: lbEnd },
      request,
      response,
    );
    const nodePortSrc = ephemeral();
    hop(atEni(nlbEni), atNode(node), nodePortSrc, nlb.nodePort ?? 0, request, s, e);
    hop(atNode(node), atEni(nlbEni), nlb.nodePort ?? 0, nodePortSrc, response, s, e);
    const crossZone = node.zone.id !== nlbEni.zone.id;
    const lbCategory = crossZone ? "cross_az" : "lb";
    const lbSub = crossZone ? "nlb_cross_zone" : "target";
    addExchange(
      truth,
      {
        ...lbCommon,
        confidence: "node",
        category: lbCategory,
        subcategory: lbSub,
        src: lbEnd,
        dst: nodeEnd(node),
      },
      request,
      response,
    );
    interAz(nlb.arn, nlbEni.zone, node.instanceId, node.zone, request);
    interAz(node.instanceId, node.zone, nlb.arn, nlbEni.zone, response);
    billing.add("lb_bytes", nlb.arn, 2 * (request + response));
    if (pod.node === node) return;
    // kube-proxy SNATs to the node's IP (externalTrafficPolicy: Cluster): the hop is node -> pod.
    const proxyPort = ephemeral();
    hop(atNode(node), atPod(pod), proxyPort, 8443, request, s, e);
    hop(atPod(pod), atNode(node), 8443, proxyPort, response, s, e);
    const hopCategory = node.zone.id === pod.node.zone.id ? "same_az" : "cross_az";
    addExchange(
      truth,
      {
        ...lbCommon,
        confidence: "node",
        category: hopCategory,
        subcategory: "nodeport",
        src: nodeEnd(node),
        dst: podEnd(pod),
      },
      request,
      response,
    );
    interAz(node.instanceId, node.zone, pod.node.instanceId, pod.node.zone, request);
    interAz(pod.node.instanceId, pod.node.zone, node.instanceId, node.zone, response);
  });

  // kubelet -> API server through the EKS control-plane ENIs: bypasses every Service.
  cluster.nodes.forEach((node, n) => {
    const cp = net.controlPlane[n % net.controlPlane.length] as SimEni;
    const request = amount(200_000);
    const response = request * 5;
    const port = ephemeral();
    const s = start();
    const e = end();
    hop(atNode(node), atEni(cp), port, 443, request, s, e);
    hop(atEni(cp), atNode(node), 443, port, response, s, e);
    const cpEnd = eniEnd("eks_control_plane", cp, cp.eniId);
    const category = node.zone.id === cp.zone.id ? "same_az" : "cross_az";
    const common = {
      service: null,
      loadBalancer: null,
      natGateway: null,
      confidence: "node",
      category,
      subcategory: "control_plane",
    } as const;
    addExchange(truth, { ...common, src: nodeEnd(node), dst: cpEnd }, request, response);
    // The control plane's side is billed to the EKS service account, not to this account.
    if (node.zone.id !== cp.zone.id) {
      billing.add("inter_az_out", node.instanceId, request);
      billing.add("inter_az_in", node.instanceId, response);
    }
  });

  // Pods -> the STS interface endpoint. The endpoint's private DNS is resolved to its ENI in the
  // caller's AZ (zonal), so no byte here crosses an AZ; the VPC CNI never SNATs in-VPC destinations,
  // so the records carry the pod IP whatever AWS_VPC_K8S_CNI_EXTERNALSNAT says.
  const vpce = net.vpcEndpoint;
  for (const caller of vpce.callers) {
    for (const pod of podsOf(caller)) {
      const eni = vpce.enis.find((e) => e.zone.id === pod.node.zone.id);
      if (!eni) continue;
      const request = amount(2_500_000);
      const response = request * 4;
      const port = ephemeral();
      const s = start();
      const e = end();
      hop(atPod(pod), atEni(eni), port, 443, request, s, e);
      hop(atEni(eni), atPod(pod), 443, port, response, s, e);
      const endpointEnd: TruthEnd = {
        kind: "vpc_endpoint",
        namespace: null,
        workloadKind: "VpcEndpoint",
        workload: vpce.id,
        azId: eni.zone.id,
        node: null,
        resource: vpce.id,
      };
      const common = {
        category: "vpc_endpoint",
        subcategory: null,
        service: null,
        loadBalancer: null,
        natGateway: null,
        confidence: "exact",
      } as const;
      addExchange(truth, { ...common, src: podEnd(pod), dst: endpointEnd }, request, response);
      // Interface endpoints bill every GB they process, in either direction.
      billing.add("vpce_bytes", vpce.arn, request + response);
    }
  }

  // A peered database (another VPC, not logged, not in any inventory): one egress record only.
  const ledger = podsOf("payments/ledger")[0];
  if (ledger) {
    const bytes = amount(500_000);
    emitRecord(cluster, sink, {
      eni: ledger.node.eniId,
      srcaddr: ledger.node.ip,
      dstaddr: net.unknownPeer,
      srcport: ephemeral(),
      dstport: 5432,
      protocol: 6,
      bytes,
      start: start(),
      end: end(),
      subnetId: ledger.node.zone.subnetId,
      instanceId: ledger.node.instanceId,
      pktSrc: ledger.ip,
      pktDst: net.unknownPeer,
      azId: ledger.node.zone.id,
      direction: "egress",
    });
    const unknown: TruthEnd = {
      kind: "unknown",
      namespace: null,
      workloadKind: null,
      workload: null,
      azId: null,
      node: null,
      resource: net.unknownPeer,
    };
    addTruthRow(
      truth,
      {
        category: "unknown",
        subcategory: null,
        src: options.packetAddresses === false ? nodeEnd(ledger.node) : podEnd(ledger),
        dst: unknown,
        service: null,
        loadBalancer: null,
        natGateway: null,
        confidence: "ambiguous",
      },
      bytes,
    );
  }
}

export function networkRandom(seed: number): () => number {
  return seededRandom(seed ^ 0x5bd1e995);
}
