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
  {"op": "put_item", "table": T, "item": ITEM}  -> {} (DynamoDB's typed form)
  {"op": "create_topic", "name": N, "url": U}   -> {"arn": A} (queue U subscribed, raw delivery)
  {"op": "create_bucket", "name": N}            -> {}
  {"op": "put_object", "bucket": B, "key": K, "base64": D, "type": T} -> {}
  {"op": "get_object", "bucket": B, "key": K}   -> {"base64": D, "type": T} or {"missing": true}
  {"op": "create_express_machine", "name": N}   -> {"arn": A} (greets $.name; runs when started)
  {"op": "create_configuration", "application": A, "profile": P, "content": C, "type": T}
                                                -> {"version": N} (a hosted configuration version)

moto 5.2 does not serve two calls API Gateway makes; this fixture adds them
to moto's own server, on moto's own models, as AWS documents them:
StartSyncExecution (run on moto's state machine interpreter, answered when
the execution ends) and AppConfig's GetConfiguration (the latest hosted
version of a profile, found by name or id).
"""

import base64
import json
import logging
import socket
import sys
import time

import boto3
import moto.appconfig.urls
from moto.appconfig.models import appconfig_backends
from moto.appconfig.responses import AppConfigResponse
from moto.core.responses import ActionResult
from moto.server import ThreadedMotoServer
from moto.stepfunctions.parser.models import stepfunctions_parser_backends
from moto.stepfunctions.responses import StepFunctionResponse

ACCOUNT = "123456789012"


def start_sync_execution(self):
    backend = stepfunctions_parser_backends[self.current_account][self.region]
    name = self._get_param("name") or "sync-%d" % time.time_ns()
    execution = backend.start_execution(
        self._get_param("stateMachineArn"), name, self._get_param("input") or "{}"
    )
    deadline = time.monotonic() + 10
    while str(execution.exec_status).endswith("RUNNING") and time.monotonic() < deadline:
        time.sleep(0.02)
    answer = {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "startDate": execution.start_date,
        "stopDate": execution.stop_date,
        "status": str(execution.exec_status).rsplit(".", 1)[-1],
        "input": execution.input_data if isinstance(execution.input_data, str) else json.dumps(execution.input_data),
    }
    if execution.output is not None:
        answer["output"] = json.dumps(execution.output)
    return ActionResult(answer)


StepFunctionResponse.start_sync_execution = start_sync_execution


def get_configuration(self):
    parts = self.path.split("?")[0].split("/")
    application, configuration = parts[2], parts[6]
    backend = appconfig_backends[self.current_account][self.region]
    for app in backend.applications.values():
        if application not in (app.id, app.name):
            continue
        for profile in app.config_profiles.values():
            if configuration in (profile.id, profile.name) and profile.config_versions:
                latest = profile.config_versions[max(profile.config_versions)]
                return latest.content, {
                    "status": 200,
                    "Content-Type": latest.content_type,
                    "Configuration-Version": str(latest.version),
                }
    body = json.dumps({"Message": "Configuration not found", "ResourceType": "Configuration"})
    return body, {"status": 404, "x-amzn-ErrorType": "ResourceNotFoundException"}


AppConfigResponse.get_configuration = get_configuration
moto.appconfig.urls.url_paths[
    "{0}/applications/(?P<app_id>[^/]+)/environments/(?P<environment>[^/]+)/configurations/(?P<configuration>[^/]+)$"
] = AppConfigResponse.dispatch

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
s3 = session.client("s3", endpoint_url=endpoint)
appconfig = session.client("appconfig", endpoint_url=endpoint)


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
    if op == "put_item":
        dynamodb.put_item(TableName=command["table"], Item=command["item"])
        return {}
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
    if op == "create_bucket":
        s3.create_bucket(Bucket=command["name"])
        return {}
    if op == "put_object":
        s3.put_object(
            Bucket=command["bucket"],
            Key=command["key"],
            Body=base64.b64decode(command["base64"]),
            ContentType=command["type"],
        )
        return {}
    if op == "get_object":
        try:
            answer = s3.get_object(Bucket=command["bucket"], Key=command["key"])
        except s3.exceptions.NoSuchKey:
            return {"missing": True}
        return {
            "base64": base64.b64encode(answer["Body"].read()).decode(),
            "type": answer.get("ContentType"),
        }
    if op == "create_express_machine":
        definition = {
            "StartAt": "Greet",
            "States": {
                "Greet": {
                    "Type": "Pass",
                    "Parameters": {"greeting.$": "States.Format('hello {}', $.name)"},
                    "End": True,
                }
            },
        }
        machine = stepfunctions_parser_backends[ACCOUNT]["us-east-1"].create_state_machine(
            name=command["name"],
            definition=json.dumps(definition),
            roleArn="arn:aws:iam::%s:role/states" % ACCOUNT,
            sm_type="EXPRESS",
        )
        return {"arn": machine.arn}
    if op == "create_configuration":
        app = appconfig.create_application(Name=command["application"])["Id"]
        profile = appconfig.create_configuration_profile(
            ApplicationId=app, Name=command["profile"], LocationUri="hosted"
        )["Id"]
        version = appconfig.create_hosted_configuration_version(
            ApplicationId=app,
            ConfigurationProfileId=profile,
            Content=command["content"].encode(),
            ContentType=command["type"],
        )["VersionNumber"]
        return {"version": version}
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
