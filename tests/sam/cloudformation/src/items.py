import json


def handler(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps({"id": event["pathParameters"]["id"], "resource": event["resource"], "stage": event["requestContext"]["stage"]}),
    }
