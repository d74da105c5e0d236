import { redactWebhookUrl, retryAfterMs, SlackPostError, SlackWebhookClient } from "@flowcost/publish";
import { describe, expect, test } from "vitest";
import { fakeSlack } from "../support/fake-slack.ts";

describe("the Slack webhook client against a local server speaking Slack's webhook protocol", async () => {
  const slack = await fakeSlack();
  const logged: string[] = [];
  const sleeps: number[] = [];
  const client = (maxAttempts = 3) =>
    new SlackWebhookClient(slack.url, {
      maxAttempts,
      log: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`),
      // Record the waits instead of waiting: the test asserts which delay was chosen.
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
  const message = { text: "hello", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*hi*" } }] };

  test("posts the Block Kit message as JSON", async () => {
    slack.posts.length = 0;
    await expect(client().post(message)).resolves.toEqual({ attempts: 1 });
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]?.contentType).toBe("application/json");
    expect(slack.posts[0]?.body).toMatchObject(message);
  });

  test("429 with Retry-After: waits what Slack asked, then posts once", async () => {
    slack.posts.length = 0;
    sleeps.length = 0;
    slack.respond({ status: 429, headers: { "retry-after": "7" }, body: "rate_limited" });
    await expect(client().post(message)).resolves.toEqual({ attempts: 2 });
    expect(sleeps).toEqual([7000]);
    expect(slack.posts).toHaveLength(1);
  });

  test("500: retried with backoff, then reported with its status when it keeps failing", async () => {
    slack.posts.length = 0;
    sleeps.length = 0;
    slack.respond({ status: 500 }, { status: 503, headers: { "retry-after": "5" } }, { status: 500 });
    const error = await client(3)
      .post(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackPostError);
    expect((error as SlackPostError).message).toBe("Slack webhook post failed: HTTP 500 after 3 attempts");
    expect((error as SlackPostError).status).toBe(500);
    expect(sleeps).toEqual([1000, 5000]);
    expect(slack.posts).toHaveLength(0);
  });

  test("500 then ok: the retry delivers", async () => {
    slack.posts.length = 0;
    slack.respond({ status: 500 });
    await expect(client().post(message)).resolves.toEqual({ attempts: 2 });
    expect(slack.posts).toHaveLength(1);
  });

  test("a 4xx other than 429 (a revoked webhook) fails at once", async () => {
    slack.respond({ status: 403, body: "invalid_token" });
    const error = (await client()
      .post(message)
      .catch((e: unknown) => e)) as SlackPostError;
    expect(error.message).toBe("Slack webhook post failed: HTTP 403 after 1 attempt");
  });

  test("no response at all (nothing listening) is retried, then reported without the URL", async () => {
    const dead = new SlackWebhookClient(`http://127.0.0.1:1${slack.secret}`, {
      maxAttempts: 2,
      sleep: async () => {},
    });
    const error = (await dead.post(message).catch((e: unknown) => e)) as SlackPostError;
    expect(error.message).toBe("Slack webhook post failed: no response after 2 attempts");
    expect(String(error.stack)).not.toContain(slack.secret);
    expect(error.cause).toBeUndefined();
  });

  test("the webhook URL appears in no log line and no error; the redacted form names the host only", async () => {
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line).not.toContain(slack.secret);
    expect(redactWebhookUrl(slack.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\*\*\*$/);
    expect(() => new SlackWebhookClient(`not a url ${slack.secret}`)).toThrow("value not shown");
    const bad = (() => {
      try {
        new SlackWebhookClient(`ftp://x${slack.secret}`);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(bad?.message).not.toContain(slack.secret);
    expect(retryAfterMs("120")).toBe(120_000);
    expect(retryAfterMs("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(
      10_000,
    );
  });
});
