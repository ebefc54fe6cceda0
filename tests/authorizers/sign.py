"""Signs requests with botocore's SigV4 for the IAM authorization tests.

Reads a JSON list of requests on stdin ({method, url, body, access_key,
secret_key, token?, presign?}) and prints, for each, the headers to send
and the URL (presigned URLs carry the signature in the query).
"""

import json
import sys

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

out = []
for spec in json.load(sys.stdin):
    credentials = Credentials(spec["access_key"], spec["secret_key"], spec.get("token"))
    request = AWSRequest(method=spec["method"], url=spec["url"], data=spec.get("body", "").encode())
    if spec.get("presign"):
        SigV4QueryAuth(credentials, "execute-api", spec.get("region", "us-east-1"), expires=300).add_auth(request)
    else:
        SigV4Auth(credentials, "execute-api", spec.get("region", "us-east-1")).add_auth(request)
    out.append({"url": request.url, "headers": dict(request.headers.items())})
print(json.dumps(out))
