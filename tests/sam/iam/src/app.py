import json


def report(event, context):
    iam = (event["requestContext"].get("authorizer") or {}).get("iam") or {}
    return {
        "statusCode": 200,
        "body": json.dumps({
            "route": event["routeKey"],
            "user": iam.get("userArn"),
            "key": iam.get("accessKey"),
        }),
    }
