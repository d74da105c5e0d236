import { Sha256 } from "@aws-crypto/sha256-js";
import { FlowcostError } from "@flowcost/core";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

export const EKS_TOKEN_PREFIX = "k8s-aws-v1.";
/** `aws eks get-token` presigns for 60 s; EKS accepts the token for 15 minutes after signing. */
const PRESIGN_EXPIRES_SECONDS = 60;
const CLUSTER_HEADER = "x-k8s-aws-id";

export interface EksTokenOptions {
  readonly cluster: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Signing time: the caller passes the scheduled event's time (or a clock), never an implicit now. */
  readonly signingDate: Date;
}

/**
 * A bearer token for the EKS API server, as `aws eks get-token` and aws-iam-authenticator make it:
 * `k8s-aws-v1.` + base64url (unpadded) of a presigned STS `GetCallerIdentity` URL whose signed
 * headers include `x-k8s-aws-id: <cluster>`. The API server replays the URL against STS to learn
 * the caller's IAM identity; no secret leaves the process except that one-minute signature.
 */
export async function eksToken(options: EksTokenOptions): Promise<string> {
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: "sts",
    sha256: Sha256,
  });
  const hostname = `sts.${options.region}.amazonaws.com`;
  const presigned = await signer.presign(
    {
      method: "GET",
      protocol: "https:",
      hostname,
      path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
      headers: { host: hostname, [CLUSTER_HEADER]: options.cluster },
    },
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: options.signingDate },
  );
  // Canonical (sorted) order with the signature last, as botocore prints a presigned URL.
  const { "X-Amz-Signature": signature, ...signed } = presigned.query ?? {};
  const query = Object.entries(signed)
    .map(([key, value]) => `${encodeRfc3986(key)}=${encodeRfc3986(String(value))}`)
    .sort()
    .join("&");
  const url = `https://${hostname}/?${query}&X-Amz-Signature=${String(signature)}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, "utf8").toString("base64url");
}

function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export interface EksCluster {
  readonly name: string;
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA. */
  readonly caData: string;
  readonly vpcId: string;
}

/**
 * EKS `DescribeCluster` (`GET /clusters/<name>`, REST-JSON), signed with SigV4 directly: the
 * job needs three fields of it, which does not justify another SDK client in the bundle.
 */
export async function describeEksCluster(options: {
  readonly cluster: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly signingDate: Date;
  /** Test seam; the global fetch by default. */
  readonly fetch?: typeof fetch;
}): Promise<EksCluster> {
  const hostname = `eks.${options.region}.amazonaws.com`;
  const path = `/clusters/${encodeURIComponent(options.cluster)}`;
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: "eks",
    sha256: Sha256,
  });
  const signed = await signer.sign(
    { method: "GET", protocol: "https:", hostname, path, query: {}, headers: { host: hostname } },
    { signingDate: options.signingDate },
  );
  const response = await (options.fetch ?? fetch)(`https://${hostname}${path}`, {
    method: "GET",
    headers: signed.headers,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new FlowcostError(
      `eks:DescribeCluster ${options.cluster}: HTTP ${response.status} ${text.slice(0, 300)}`,
    );
  }
  const body = JSON.parse(text) as {
    cluster?: {
      endpoint?: string;
      certificateAuthority?: { data?: string };
      resourcesVpcConfig?: { vpcId?: string };
    };
  };
  const c = body.cluster;
  if (!c?.endpoint || !c.certificateAuthority?.data || !c.resourcesVpcConfig?.vpcId) {
    throw new FlowcostError(
      `eks:DescribeCluster ${options.cluster}: response lacks endpoint, certificateAuthority.data or resourcesVpcConfig.vpcId`,
    );
  }
  return {
    name: options.cluster,
    endpoint: c.endpoint,
    caData: c.certificateAuthority.data,
    vpcId: c.resourcesVpcConfig.vpcId,
  };
}
