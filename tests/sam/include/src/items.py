import json


def handler(event, context):
    # Payload 2.0 carries `routeKey`; 1.0 carries `resource` and `httpMethod`.
    version = event.get("version", "1.0")
    return {
        "statusCode": 200,
        "body": json.dumps(
            {
                "version": version,
                "route": event.get("routeKey") or "%s %s" % (event["httpMethod"], event["resource"]),
                "colour": (event.get("stageVariables") or {}).get("colour"),
                "function": context.function_name,
            }
        ),
    }
