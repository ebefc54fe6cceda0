"""The PetStore as a Python Lambda function: a plain handler for API Gateway's
Lambda proxy integration, run by the official runtime client (awslambdaric)."""

import json

PETS = [
    {"id": 1, "type": "dog", "price": 249.99},
    {"id": 2, "type": "cat", "price": 124.99},
    {"id": 3, "type": "fish", "price": 0.99},
]


def reply(status, body):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "x-runtime": "python"},
        "body": json.dumps(body),
    }


def handler(event, context):
    method, resource = event["httpMethod"], event["resource"]
    if resource == "/pets" and method == "GET":
        kind = (event.get("queryStringParameters") or {}).get("type")
        return reply(200, [p for p in PETS if kind in (None, p["type"])])
    if resource == "/pets" and method == "POST":
        try:
            pet = json.loads(event.get("body") or "")
        except ValueError:
            return reply(400, {"message": "the body must be a JSON pet"})
        pet["id"] = max(p["id"] for p in PETS) + 1
        PETS.append(pet)
        return reply(201, pet)
    if resource == "/pets/{petId}" and method == "GET":
        wanted = event["pathParameters"]["petId"]
        for pet in PETS:
            if str(pet["id"]) == wanted:
                return reply(200, pet)
        return reply(404, {"message": f"no pet {wanted}"})
    return reply(405, {"message": f"{method} {resource} is not served"})
