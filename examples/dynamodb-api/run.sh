#!/usr/bin/env bash
# The items API on 127.0.0.1:3000, its table in a DynamoDB on loopback:
# moto's server (installed into target/example-venv), or any DynamoDB you
# name with DYNAMODB_ENDPOINT (DynamoDB Local: http://127.0.0.1:8000).
#
#   bash examples/dynamodb-api/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
export AWS_REGION=us-east-1
venv=target/example-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "moto[server]==5.2.6" "boto3==1.44.8"
fi
endpoint="${DYNAMODB_ENDPOINT:-}"
if [ -z "$endpoint" ]; then
  endpoint=http://127.0.0.1:5000
  "$venv/bin/moto_server" -H 127.0.0.1 -p 5000 >/dev/null 2>&1 &
  moto=$!
  trap 'kill "$moto" 2>/dev/null || true' EXIT
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/5000) 2>/dev/null && break; sleep 0.1; done
fi
"$venv/bin/python" - "$endpoint" <<'PY'
import sys
import boto3
dynamodb = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1")
if "items" not in dynamodb.list_tables()["TableNames"]:
    dynamodb.create_table(
        TableName="items",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
PY
echo "items API: curl -X POST http://127.0.0.1:3000/prod/items -d '{\"name\": \"lamp\"}'; curl http://127.0.0.1:3000/prod/items" >&2
AWS_ENDPOINT_URL_DYNAMODB="$endpoint" cargo run --release -- serve --config examples/dynamodb-api/gateway.yaml
