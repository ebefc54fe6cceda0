"""Lambda authorizers for the gateway's tests, run with awslambdaric.

`token` answers by the token's value; `simple` is an HTTP API 2.0 authorizer
with simple responses. Each counts its calls, so the tests see caching.
"""

calls = 0


def policy(effect, resource):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
    }


def token(event, context):
    global calls
    calls += 1
    value = event["authorizationToken"]
    arn = event["methodArn"]
    if value == "raise":
        raise Exception("Unauthorized")
    if value == "boom":
        raise Exception("kaboom")
    answer = {
        "principalId": "user-" + value,
        "context": {"calls": calls, "admin": True, "principalId": "ignored", "name": "alice"},
    }
    if value == "deny":
        answer["policyDocument"] = policy("Deny", arn)
    elif value == "get-only":
        # arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH: allow GET only.
        head, stage, _method, path = arn.split("/", 3)
        answer["policyDocument"] = policy("Allow", "/".join([head, stage, "GET", path]))
    else:
        answer["policyDocument"] = policy("Allow", arn)
    if value == "nested":
        answer["context"]["object"] = {"a": 1}
    if value.startswith("key:"):
        # The API key a REST API with key source AUTHORIZER meters the caller against.
        answer["usageIdentifierKey"] = value[len("key:"):]
    return answer


def simple(event, context):
    global calls
    calls += 1
    allowed = event["headers"].get("x-key") == "open-sesame"
    return {"isAuthorized": allowed, "context": {"calls": calls, "route": event["routeKey"], "type": event["type"]}}


def echo(event, context):
    import json

    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
