import json


def authorize(event, context):
    effect = "Allow" if event.get("authorizationToken") == "let-me-in" else "Deny"
    return {
        "principalId": "tester",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}],
        },
        "context": {"tier": "gold"},
    }


def secret(event, context):
    authorizer = event["requestContext"].get("authorizer") or {}
    return {
        "statusCode": 200,
        "body": json.dumps({"path": event["resource"], "principal": authorizer.get("principalId"), "tier": authorizer.get("tier")}),
    }
