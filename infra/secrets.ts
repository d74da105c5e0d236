/** The Slack incoming-webhook URL for regression alerts: `npx sst secret set SlackWebhookUrl <url>`. */
export const slackWebhook = new sst.Secret("SlackWebhookUrl");
