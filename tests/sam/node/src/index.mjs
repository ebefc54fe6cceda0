// A greeting that reports what the runtime interface client handed it: the
// path parameter, the function's environment and the invocation's context.
// `invocations` lives as long as the process, so a warm call counts on.

let invocations = 0;
const startedAt = new Date().toISOString();

export const handler = async (event, context) => {
  invocations += 1;
  const name = event.pathParameters?.name ?? "nobody";
  const body = {
    message: `${process.env.SALUTATION}, ${name}`,
    name,
    // HTTP API payloads carry `version: "2.0"`; REST API ones `1.0`.
    payload: event.version ?? "1.0",
    function: process.env.AWS_LAMBDA_FUNCTION_NAME,
    contextFunction: context.functionName,
    memory: context.memoryLimitInMB,
    requestId: context.awsRequestId,
    remainingMs: context.getRemainingTimeInMillis(),
    pid: process.pid,
    node: process.version,
    startedAt,
    invocations,
  };
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
};
