"""A real Cognito user pool for the authorizer tests: moto in server mode.

Starts moto's server on 127.0.0.1, creates a user pool, an app client and a
user through boto3, signs the user in, prints the pool, the client, the
tokens and the server's URL as one JSON line, and serves until stdin closes.
moto serves the pool's JWKS at /{poolId}/.well-known/jwks.json.
"""

import json
import logging
import socket
import sys

import boto3
from moto.server import ThreadedMotoServer

logging.getLogger("werkzeug").setLevel(logging.ERROR)

probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
endpoint = "http://127.0.0.1:%d" % port

cognito = boto3.client(
    "cognito-idp",
    region_name="us-east-1",
    endpoint_url=endpoint,
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
pool = cognito.create_user_pool(PoolName="portcullis")["UserPool"]["Id"]
client = cognito.create_user_pool_client(
    UserPoolId=pool, ClientName="app", ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"]
)["UserPoolClient"]["ClientId"]
cognito.admin_create_user(
    UserPoolId=pool,
    Username="alice",
    UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
)
cognito.admin_set_user_password(
    UserPoolId=pool, Username="alice", Password="Portcullis-Passw0rd!", Permanent=True
)
tokens = cognito.admin_initiate_auth(
    UserPoolId=pool,
    ClientId=client,
    AuthFlow="ADMIN_NO_SRP_AUTH",
    AuthParameters={"USERNAME": "alice", "PASSWORD": "Portcullis-Passw0rd!"},
)["AuthenticationResult"]

print(
    json.dumps(
        {
            "endpoint": endpoint,
            "pool": pool,
            "client": client,
            "id_token": tokens["IdToken"],
            "access_token": tokens["AccessToken"],
        }
    ),
    flush=True,
)
sys.stdin.read()
server.stop()
