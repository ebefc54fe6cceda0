#!/usr/bin/env bash
# The SAM project in this directory, served by Portcullis on 127.0.0.1:3000:
# its Python functions run by awslambdaric (installed into
# target/example-venv with moto), its table in moto's DynamoDB on loopback
# (or any DynamoDB you name with DYNAMODB_ENDPOINT). The HTTP API's JWT
# authorizer trusts ISSUER for AUDIENCE (a Cognito pool's issuer URL and app
# client id, or any OpenID issuer; plain http only on loopback).
#
#   bash examples/sam/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

EXTRA_PACKAGES="awslambdaric==4.2.2" source examples/dynamodb-local.sh
cargo build --release --quiet --example sam_rust_function
# The stack is named after the template's directory: the table is sam-items.
create_table sam-items 1 lamp
cat >&2 <<'TXT'
Two APIs: pick one with the Host header.
  curl -H 'Host: shopapi.execute-api.localhost' -H 'X-Token: open-sesame' http://127.0.0.1:3000/dev/hello
  curl -H 'Host: shopapi.execute-api.localhost' -H 'X-Token: open-sesame' http://127.0.0.1:3000/dev/items
  curl -H 'Host: shopapi.execute-api.localhost' -H 'x-api-key: partner-key-0123456789abcdef' http://127.0.0.1:3000/dev/report
  curl -H 'Host: webapi.execute-api.localhost' -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/greet/ann
  curl -H 'Host: webapi.execute-api.localhost' http://127.0.0.1:3000/rust/ann
TXT
cargo run --release -- serve \
  --template examples/sam/template.yaml \
  --runtime-command "python=$PWD/$venv/bin/python -m awslambdaric" \
  --runtime-command "provided=$PWD/target/release/examples/sam_rust_function" \
  --parameter-overrides "Issuer=${ISSUER:-https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE}" \
  "Audience=${AUDIENCE:-example-app-client}" "$@"
