"""Signs a fixed set of execute-api requests with botocore and prints them as JSON.

botocore is an implementation of Signature Version 4 independent of the Rust
`aws-sigv4` crate: tests/sigv4_botocore.rs checks that every request printed
here verifies, and that it stops verifying once any signed part changes.

Each case is printed as the request goes on the wire: method, request target
(path and query, exactly as botocore built it), headers (with `host`), body,
plus the credentials and the time it was signed at.
"""

import base64
import datetime
import json
import sys
from urllib.parse import urlsplit

import botocore.auth
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGION = "us-east-1"
SERVICE = "execute-api"
HOST = "abc123.execute-api.us-east-1.amazonaws.com"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN_KEY = "ASIAEXAMPLETEMPORARY"
TOKEN_SECRET = "temporarySecretKey/with+symbols=="
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token=="
SIGNED_AT = datetime.datetime(2026, 12, 5, 12, 0, 0)

# botocore reads the clock through this function: pin it.
botocore.auth.get_current_datetime = lambda *args, **kwargs: SIGNED_AT


def credentials(with_token):
    if with_token:
        return Credentials(TOKEN_KEY, TOKEN_SECRET, TOKEN)
    return Credentials(ACCESS_KEY, SECRET_KEY)


def request(method, target, headers=(), body=b"", host=HOST, scheme="https"):
    req = AWSRequest(method=method, url=f"{scheme}://{host}{target}", data=body)
    for name, value in headers:
        req.headers[name] = value
    return req


def wire(name, form, req, creds, body, unsigned=(), payload="body", expires=None,
         expect="accepted"):
    """The request as it is sent: botocore's headers, the ones botocore
    adds after signing (`Content-Length`), then `unsigned` ones (a proxy's,
    or ones botocore never signs)."""
    prepared = req.prepare()
    parts = urlsplit(prepared.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers = [[k, v] for k, v in req.headers.items()]
    if not any(k.lower() == "host" for k, _ in headers):
        headers.append(["host", botocore.auth._host_from_url(req.url)])
    for k, v in prepared.headers.items():
        if not any(k.lower() == name.lower() for name, _ in headers):
            headers.append([k, v])
    headers.extend([k, v] for k, v in unsigned)
    return {
        "name": name,
        "form": form,
        "method": req.method,
        "target": target,
        "headers": headers,
        "body_base64": base64.b64encode(body).decode(),
        "access_key": creds.access_key,
        "secret_key": creds.secret_key,
        "token": creds.token,
        "signed_at": SIGNED_AT.strftime("%Y%m%dT%H%M%SZ"),
        "payload": payload,
        "expires": expires,
        "expect": expect,
    }


def header_case(name, method, target, headers=(), body=b"", token=False,
                unsigned=(), context=None, payload="body", params=None,
                expect="accepted", **kwargs):
    creds = credentials(token)
    req = request(method, target, headers, body, **kwargs)
    if params:
        req.params = params
    if context:
        req.context.update(context)
    SigV4Auth(creds, SERVICE, REGION).add_auth(req)
    return wire(name, "header", req, creds, body, unsigned, payload, expect=expect)


def query_case(name, method, target, headers=(), token=False, expires=300,
               unsigned=()):
    creds = credentials(token)
    req = request(method, target, headers)
    SigV4QueryAuth(creds, SERVICE, REGION, expires=expires).add_auth(req)
    return wire(name, "query", req, creds, b"", unsigned, expires=expires)


BINARY = bytes(range(256)) * 4  # 1 KiB, every byte value

CASES = [
    header_case("get_root", "GET", "/"),
    header_case("get_path", "GET", "/prod/pets", headers=[("Host", HOST)]),
    header_case("get_query", "GET", "/prod/pets?type=dog&page=2"),
    header_case("repeated_query_keys", "GET", "/prod/pets?tag=b&tag=a&tag=a&a=z"),
    header_case("empty_query_values", "GET", "/prod/pets?flag=&empty=&x=1"),
    header_case("encoded_query", "GET",
                "/prod/search?q=a%20b&slash=%2F&check=%E2%9C%93&plain=~-._&eq=%3D%26"),
    header_case("path_escapes", "GET", "/prod/a%20b/c%2Fd/%25literal"),
    header_case("path_unicode", "GET", "/prod/caf%C3%A9/%E2%9C%93/%F0%9F%90%88"),
    header_case("path_odd_characters", "GET",
                "/prod/it's(1)!*/$price;v=1,2:3@x+y~z/"),
    header_case("path_double_slash", "GET", "/prod//pets"),
    header_case("post_json", "POST", "/prod/pets",
                headers=[("Content-Type", "application/json")],
                body=b'{"name":"Rex","type":"dog"}'),
    header_case("post_empty_body", "POST", "/prod/pets",
                headers=[("Content-Type", "application/json")]),
    header_case("put_binary", "PUT", "/prod/blobs/1",
                headers=[("Content-Type", "application/octet-stream")], body=BINARY),
    header_case("session_token", "GET", "/prod/pets?type=cat", token=True),
    header_case("session_token_post", "POST", "/prod/pets", token=True,
                headers=[("Content-Type", "text/plain")], body=b"hello"),
    header_case("unsigned_extra_headers", "GET", "/prod/pets",
                headers=[("Accept", "application/json")],
                unsigned=[("User-Agent", "curl/8.0"),
                          ("X-Forwarded-For", "203.0.113.7"),
                          ("X-Amzn-Trace-Id", "Root=1-abc")]),
    header_case("header_spaces", "GET", "/prod/pets",
                headers=[("X-Custom", "  several   spaces  here "),
                         ("X-Other", "a,b ,  c")]),
    header_case("repeated_header", "GET", "/prod/pets",
                headers=[("X-Multi", "first"), ("X-Multi", "second ")]),
    header_case("date_header", "GET", "/prod/pets",
                headers=[("Date", "Thu, 01 Jan 1970 00:00:00 GMT")]),
    header_case("host_with_port", "GET", "/prod/pets", host=HOST + ":8443"),
    header_case("unsigned_payload", "POST", "/prod/pets", body=b"not hashed",
                context={"payload_signing_enabled": False}, payload="declared"),
    header_case("declared_sha256", "POST", "/prod/pets", body=b"declared",
                headers=[("X-Amz-Content-SHA256",
                          "0df8e8b4f1a5fbb0b62a3e3bb2bd9b5e0fa3f2f83f4dfb7a1ae6c08a88ccd0a4")],
                payload="declared"),
    # Query parameters given apart: botocore signs them encoded its way
    # (`%20`, `%2A`) and sends them encoded another (`+` for a space).
    header_case("params_form", "GET", "/prod/search",
                params={"q": "a b*", "filter": "id eq 1", "tag": "x/y"}),
    # botocore squeezes any whitespace in a header value; aws-sigv4 only
    # spaces: the verifier follows botocore (and the Java and JS SDKs).
    header_case("header_tab", "GET", "/prod/pets",
                headers=[("X-Custom", "a\tb \t c\t")]),
    # A query sent but not encoded the canonical way: botocore signs it as
    # sent; API Gateway decodes and encodes it again before checking, so it
    # refuses these (aws-sdk-js#2356's `*!()`, a `+` read as a space).
    header_case("query_plus_as_sent", "GET", "/prod/search?q=a+b",
                expect="refused"),
    header_case("query_reserved_as_sent", "GET", "/prod/search?q=*!()",
                expect="refused"),
    query_case("presigned_get", "GET", "/prod/pets?type=dog"),
    query_case("presigned_token", "GET", "/prod/pets", token=True, expires=3600),
    query_case("presigned_unicode_path", "GET",
               "/prod/caf%C3%A9?q=a%20b&empty=", expires=604800),
    query_case("presigned_extra_header", "GET", "/prod/pets",
               headers=[("X-Custom", "value")], unsigned=[("Accept", "*/*")]),
]

json.dump(CASES, sys.stdout)
sys.stdout.write("\n")
