import { createHash, createHmac } from "node:crypto";
import { EKS_TOKEN_PREFIX, eksToken } from "@flowcost/functions/adapters/eks-token";
import { describe, expect, test } from "vitest";

// The AWS documentation's example key pair; the date and cluster are fixed, so the token is too.
const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const signingDate = new Date("2026-11-22T10:15:00Z");

/**
 * SigV4 query-string presigning written out from the specification
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), independent of
 * the SDK signer, for `GET https://sts.<region>.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15`
 * with the signed header `x-k8s-aws-id`.
 */
function presignByHand(cluster: string, region: string, sessionToken?: string): string {
  const enc = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const host = `sts.${region}.amazonaws.com`;
  const amzDate = "20261122T101500Z";
  const scope = `20261122/${region}/sts/aws4_request`;
  const params: Record<string, string> = {
    Action: "GetCallerIdentity",
    Version: "2011-06-15",
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": `${credentials.accessKeyId}/${scope}`,
    "X-Amz-Date": amzDate,
    "X-Amz-Expires": "60",
    "X-Amz-SignedHeaders": "host;x-k8s-aws-id",
  };
  if (sessionToken) params["X-Amz-Security-Token"] = sessionToken;
  const canonicalQuery = Object.keys(params)
    .sort()
    .map((k) => `${enc(k)}=${enc(params[k] ?? "")}`)
    .join("&");
  const canonicalRequest = [
    "GET",
    "/",
    canonicalQuery,
    `host:${host}\nx-k8s-aws-id:${cluster}\n`,
    "host;x-k8s-aws-id",
    createHash("sha256").update("").digest("hex"),
  ].join("\n");
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, "20261122"), region), "sts"),
    "aws4_request",
  );
  const signature = createHmac("sha256", signingKey).update(stringToSign).digest("hex");
  return `https://${host}/?${canonicalQuery}&X-Amz-Signature=${signature}`;
}

const decode = (token: string) =>
  Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), "base64url").toString("utf8");

describe("EKS bearer token (aws eks get-token)", () => {
  test("equals the hand-computed SigV4 presign of STS GetCallerIdentity for a fixed key, date and region", async () => {
    const token = await eksToken({ cluster: "shop-prod", region: "us-east-1", credentials, signingDate });
    const url = presignByHand("shop-prod", "us-east-1");

    expect(token).toBe(EKS_TOKEN_PREFIX + Buffer.from(url).toString("base64url"));
    expect(token).not.toMatch(/[=+/]/);
    expect(decode(token)).toBe(url);
  });

  test("the URL is signed for one minute with the cluster as a signed header, not a query parameter", async () => {
    const token = await eksToken({ cluster: "shop-prod", region: "eu-west-1", credentials, signingDate });
    const url = new URL(decode(token));
    expect(url.host).toBe("sts.eu-west-1.amazonaws.com");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host;x-k8s-aws-id");
    expect(url.searchParams.get("X-Amz-Credential")).toBe("AKIDEXAMPLE/20261122/eu-west-1/sts/aws4_request");
    expect(url.searchParams.has("x-k8s-aws-id")).toBe(false);
    expect(decode(token)).toBe(presignByHand("shop-prod", "eu-west-1"));
  });

  test("temporary credentials carry their session token inside the signed query", async () => {
    const sessionToken = "IQoJb3JpZ2luX2VjEXAMPLE/+token==";
    const token = await eksToken({
      cluster: "shop-prod",
      region: "us-east-1",
      credentials: { ...credentials, sessionToken },
      signingDate,
    });
    expect(decode(token)).toBe(presignByHand("shop-prod", "us-east-1", sessionToken));
  });

  test("another cluster name gives another signature", async () => {
    const a = await eksToken({ cluster: "shop-prod", region: "us-east-1", credentials, signingDate });
    const b = await eksToken({ cluster: "shop-staging", region: "us-east-1", credentials, signingDate });
    expect(new URL(decode(a)).searchParams.get("X-Amz-Signature")).not.toBe(
      new URL(decode(b)).searchParams.get("X-Amz-Signature"),
    );
  });
});
