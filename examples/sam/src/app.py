import json
import os


def authorize(event, context):
    """A TOKEN authorizer: `X-Token: open-sesame` is allowed."""
    effect = "Allow" if event.get("authorizationToken") == "open-sesame" else "Deny"
    # The policy is cached for the token (5 minutes by default) and judges
    # every method it reaches, so it names the whole stage, not just this
    # method: arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/*.
    api_and_stage = "/".join(event["methodArn"].split("/")[:2])
    return {
        "principalId": "shopper",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": api_and_stage + "/*"}],
        },
    }


def hello(event, context):
    name = (event.get("pathParameters") or {}).get("name") or "world"
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"hello": name, "table": os.environ["TABLE"], "function": context.function_name}),
    }
