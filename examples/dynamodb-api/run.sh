#!/usr/bin/env bash
# The items API on 127.0.0.1:3000, its table in a DynamoDB on loopback:
# moto's server (installed into target/example-venv), or any DynamoDB you
# name with DYNAMODB_ENDPOINT (DynamoDB Local: http://127.0.0.1:8000).
#
#   bash examples/dynamodb-api/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source examples/dynamodb-local.sh
create_table items
echo "items API: curl -X POST http://127.0.0.1:3000/prod/items -d '{\"name\": \"lamp\"}'; curl http://127.0.0.1:3000/prod/items" >&2
cargo run --release -- serve --config examples/dynamodb-api/gateway.yaml
