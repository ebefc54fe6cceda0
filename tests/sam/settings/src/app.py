import json

# One process serves every invocation, so this counts them.
calls = 0


def count(event, context):
    global calls
    calls += 1
    return {"statusCode": 200, "body": json.dumps({"calls": calls})}
