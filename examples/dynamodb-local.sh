# Sourced by the examples that keep a table in DynamoDB: a venv with moto,
# boto3 (and whatever else the example names) in target/example-venv, and
# a DynamoDB on loopback (moto's server, stopped on exit) unless
# DYNAMODB_ENDPOINT names one (DynamoDB Local: http://127.0.0.1:8000).
# Then `create_table NAME [ID NAME]...` creates NAME (key `id`) and puts the
# items given.
#
#   EXTRA_PACKAGES="awslambdaric==4.2.2" source examples/dynamodb-local.sh
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
venv=target/example-venv
if ! "$venv/bin/python" -c 'import moto, boto3' 2>/dev/null \
  || { [ -n "${EXTRA_PACKAGES:-}" ] && ! "$venv/bin/pip" show -q ${EXTRA_PACKAGES%%=*} >/dev/null 2>&1; }; then
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install -q "moto[server]==5.2.6" "boto3==1.44.8" ${EXTRA_PACKAGES:-}
fi
endpoint="${DYNAMODB_ENDPOINT:-}"
if [ -z "$endpoint" ]; then
  endpoint=http://127.0.0.1:5000
  "$venv/bin/moto_server" -H 127.0.0.1 -p 5000 >/dev/null 2>&1 &
  moto=$!
  trap 'kill "$moto" 2>/dev/null || true' EXIT
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/5000) 2>/dev/null && break; sleep 0.1; done
fi
export AWS_ENDPOINT_URL_DYNAMODB="$endpoint"

create_table() {
  "$venv/bin/python" - "$endpoint" "$@" <<'PY'
import sys
import boto3
endpoint, table, items = sys.argv[1], sys.argv[2], sys.argv[3:]
dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
if table not in dynamodb.list_tables()["TableNames"]:
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for id_, name in zip(items[::2], items[1::2]):
        dynamodb.put_item(TableName=table, Item={"id": {"S": id_}, "name": {"S": name}})
PY
}
