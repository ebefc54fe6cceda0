#!/usr/bin/env bash
# The SAM project in this directory, served by Portcullis on 127.0.0.1:3000:
# its Python functions run by awslambdaric (installed into
# target/example-venv with moto), its table in moto's DynamoDB on loopback
# (or any DynamoDB you name with DYNAMODB_ENDPOINT).
#
#   bash examples/sam/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
venv=target/example-venv
if ! "$venv/bin/python" -c 'import awslambdaric, moto' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "moto[server]==5.2.6" "boto3==1.44.8" "awslambdaric==4.2.2"
fi
endpoint="${DYNAMODB_ENDPOINT:-}"
if [ -z "$endpoint" ]; then
  endpoint=http://127.0.0.1:5000
  "$venv/bin/moto_server" -H 127.0.0.1 -p 5000 >/dev/null 2>&1 &
  moto=$!
  trap 'kill "$moto" 2>/dev/null || true' EXIT
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/5000) 2>/dev/null && break; sleep 0.1; done
fi
# The stack is named after the template's directory: the table is sam-items.
"$venv/bin/python" - "$endpoint" <<'PY'
import sys
import boto3
dynamodb = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1")
if "sam-items" not in dynamodb.list_tables()["TableNames"]:
    dynamodb.create_table(
        TableName="sam-items",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="sam-items", Item={"id": {"S": "1"}, "name": {"S": "lamp"}})
PY
cat >&2 <<'TXT'
Two APIs: pick one with the Host header.
  curl -H 'Host: shopapi.execute-api.localhost' -H 'X-Token: open-sesame' http://127.0.0.1:3000/dev/hello
  curl -H 'Host: shopapi.execute-api.localhost' -H 'X-Token: open-sesame' http://127.0.0.1:3000/dev/items
  curl -H 'Host: shopapi.execute-api.localhost' -H 'x-api-key: partner-key-0123456789abcdef' http://127.0.0.1:3000/dev/report
  curl -H 'Host: webapi.execute-api.localhost' http://127.0.0.1:3000/greet/ann
TXT
AWS_ENDPOINT_URL_DYNAMODB="$endpoint" cargo run --release -- serve \
  --template examples/sam/template.yaml \
  --runtime-command "python=$PWD/$venv/bin/python -m awslambdaric" "$@"
