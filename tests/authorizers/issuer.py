"""A stand-in OpenID issuer for the authorizer tests, built on PyJWT.

Generates an RSA and an EC key, serves the discovery document and the JWKS on
127.0.0.1 (counting JWKS requests at /stats), mints the tokens the tests use
and prints them as one JSON line. Serves until stdin closes.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
other_rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ec_key = ec.generate_private_key(ec.SECP256R1())


def public_jwk(key, kid, alg):
    jwk = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(key.public_key()))
    jwk.update({"kid": kid, "use": "sig", "alg": alg})
    return jwk


JWKS = {"keys": [public_jwk(rsa_key, "rsa1", "RS256"), public_jwk(ec_key, "ec1", "ES256")]}
stats = {"jwks": 0, "discovery": 0}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/.well-known/openid-configuration":
            stats["discovery"] += 1
            body = {"issuer": ISSUER, "jwks_uri": ISSUER + "/jwks.json"}
        elif self.path == "/jwks.json":
            stats["jwks"] += 1
            body = JWKS
        elif self.path == "/stats":
            body = stats
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ISSUER = "http://127.0.0.1:%d" % server.server_address[1]
COGNITO = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Portcullis"
now = int(time.time())


def token(iss=ISSUER, key=rsa_key, alg="RS256", kid="rsa1", **claims):
    body = {"iss": iss, "sub": "alice", "aud": "portcullis-app", "iat": now - 10, "exp": now + 3600}
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


good = token(scope="pets.read pets.write", groups=["admin", "dev"], email="alice@example.com",
             email_verified=True, nested={"a": 1}, nothing=None, level=3)
head, payload, signature = good.split(".")
tampered_payload = jwt.utils.base64url_encode(
    json.dumps({"iss": ISSUER, "sub": "mallory", "aud": "portcullis-app", "exp": now + 3600}).encode()
).decode()

tokens = {
    "good": good,
    "read_only": token(scope="pets.read"),
    "expired": token(exp=now - 60, iat=now - 120),
    "wrong_audience": token(aud="someone-else"),
    "client_id": token(aud=None, client_id="portcullis-app"),
    "wrong_issuer": token(iss="http://127.0.0.1:1"),
    "not_yet": token(nbf=now + 600),
    "unknown_key": token(key=other_rsa_key, kid="rsa2"),
    "wrong_key": token(key=other_rsa_key),
    "tampered": ".".join([head, tampered_payload, signature]),
    "es256": token(key=ec_key, alg="ES256", kid="ec1"),
    "hs256_confusion": jwt.encode({"iss": ISSUER, "sub": "x", "aud": "portcullis-app", "exp": now + 3600},
                                  b"the public key bytes, as HMAC key", algorithm="HS256", headers={"kid": "rsa1"}),
    "none": jwt.encode({"iss": ISSUER, "sub": "x", "aud": "portcullis-app", "exp": now + 3600},
                       None, algorithm="none"),
    "cognito_id": token(iss=COGNITO, aud="client123", token_use="id", email="alice@example.com",
                        **{"cognito:groups": ["admins"], "cognito:username": "alice"}),
    "cognito_access": token(iss=COGNITO, aud=None, client_id="client123", token_use="access",
                            scope="pets/read openid"),
    "cognito_expired": token(iss=COGNITO, aud="client123", token_use="id", exp=now - 5, iat=now - 100),
}

print(json.dumps({"issuer": ISSUER, "cognito_issuer": COGNITO, "tokens": tokens}), flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
