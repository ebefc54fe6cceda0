import json
import os


def hello(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(
            {
                "message": "%s, %s" % (os.environ["GREETING"], event["pathParameters"]["name"]),
                "table": os.environ["TABLE"],
                "stage": event["requestContext"]["stage"],
                "function": context.function_name,
                "memory": context.memory_limit_in_mb,
            }
        ),
    }
