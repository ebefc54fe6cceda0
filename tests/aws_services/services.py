"""Real AWS APIs for the AWS service integration tests: moto in server mode.

Starts moto's server on a free loopback port, prints {"endpoint": URL} as one
JSON line, then answers one JSON command per line on stdin with one JSON
line on stdout, reading and writing the services with boto3 (not through
the gateway), until stdin closes:

  {"op": "create_queue", "name": N}             -> {"url": U}
  {"op": "send", "url": U, "body": B}           -> {"id": I}
  {"op": "receive", "url": U}                   -> {"messages": [{"body", "attributes", "receipt"}]}
  {"op": "count", "url": U}                     -> {"count": N} (visible and in flight)
  {"op": "route_events", "source": S, "url": U} -> {}  (a rule sending S's events to queue U)
  {"op": "create_stream", "name": N}            -> {}
  {"op": "read_stream", "name": N}              -> {"records": [{"data", "key"}]}
  {"op": "create_state_machine", "name": N}     -> {"arn": A} (one Pass state)
  {"op": "executions", "arn": A}                -> {"executions": [{"name", "input", "status"}]}
  {"op": "create_table", "name": N}             -> {}  (key: id, a string)
  {"op": "get_item", "table": T, "id": I}       -> {"item": ITEM or null} (DynamoDB's typed form)
  {"op": "create_topic", "name": N, "url": U}   -> {"arn": A} (queue U subscribed, raw delivery)
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

session = boto3.session.Session(
    aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
)
sqs = session.client("sqs", endpoint_url=endpoint)
events = session.client("events", endpoint_url=endpoint)
kinesis = session.client("kinesis", endpoint_url=endpoint)
states = session.client("stepfunctions", endpoint_url=endpoint)
dynamodb = session.client("dynamodb", endpoint_url=endpoint)
sns = session.client("sns", endpoint_url=endpoint)


def run(command):
    op = command["op"]
    if op == "create_queue":
        return {"url": sqs.create_queue(QueueName=command["name"])["QueueUrl"]}
    if op == "send":
        return {"id": sqs.send_message(QueueUrl=command["url"], MessageBody=command["body"])["MessageId"]}
    if op == "receive":
        answer = sqs.receive_message(
            QueueUrl=command["url"],
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        return {
            "messages": [
                {
                    "body": m["Body"],
                    "attributes": {
                        k: v.get("StringValue") for k, v in m.get("MessageAttributes", {}).items()
                    },
                    "receipt": m["ReceiptHandle"],
                }
                for m in answer.get("Messages", [])
            ]
        }
    if op == "count":
        attributes = sqs.get_queue_attributes(
            QueueUrl=command["url"],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return {
            "count": int(attributes["ApproximateNumberOfMessages"])
            + int(attributes["ApproximateNumberOfMessagesNotVisible"])
        }
    if op == "route_events":
        arn = sqs.get_queue_attributes(QueueUrl=command["url"], AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        events.put_rule(Name="to-queue", EventPattern=json.dumps({"source": [command["source"]]}))
        events.put_targets(Rule="to-queue", Targets=[{"Id": "queue", "Arn": arn}])
        return {}
    if op == "create_stream":
        kinesis.create_stream(StreamName=command["name"], ShardCount=1)
        return {}
    if op == "read_stream":
        shard = kinesis.describe_stream(StreamName=command["name"])["StreamDescription"]["Shards"][0]
        iterator = kinesis.get_shard_iterator(
            StreamName=command["name"], ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = kinesis.get_records(ShardIterator=iterator)["Records"]
        return {"records": [{"data": r["Data"].decode(), "key": r["PartitionKey"]} for r in records]}
    if op == "create_state_machine":
        definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
        arn = states.create_state_machine(
            name=command["name"],
            definition=json.dumps(definition),
            roleArn="arn:aws:iam::123456789012:role/states",
        )["stateMachineArn"]
        return {"arn": arn}
    if op == "executions":
        out = []
        for execution in states.list_executions(stateMachineArn=command["arn"])["executions"]:
            described = states.describe_execution(executionArn=execution["executionArn"])
            out.append(
                {
                    "name": described["name"],
                    "input": described.get("input"),
                    "status": described["status"],
                }
            )
        return {"executions": out}
    if op == "create_table":
        dynamodb.create_table(
            TableName=command["name"],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        return {}
    if op == "get_item":
        answer = dynamodb.get_item(TableName=command["table"], Key={"id": {"S": command["id"]}})
        return {"item": answer.get("Item")}
    if op == "create_topic":
        arn = sns.create_topic(Name=command["name"])["TopicArn"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=command["url"], AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(
            TopicArn=arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        return {"arn": arn}
    return {"error": "unknown op %r" % op}


print(json.dumps({"endpoint": endpoint}), flush=True)
for line in sys.stdin:
    if not line.strip():
        continue
    try:
        answer = run(json.loads(line))
    except Exception as error:  # the test reads the failure
        answer = {"error": "%s: %s" % (type(error).__name__, error)}
    print(json.dumps(answer), flush=True)
server.stop()
