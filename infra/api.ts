/**
 * The HTTP API (API Gateway v2). Every route requires IAM (SigV4) authorisation: flowcost serves
 * cost data, which is sensitive, to internal tools that hold AWS credentials. Routes are added
 * with `api.route(...)` by the API work; none are declared before they have a handler.
 */
export const api = new sst.aws.ApiGatewayV2("Api", {
  transform: {
    route: {
      args: (props) => {
        props.auth ??= { iam: true };
      },
    },
  },
});
