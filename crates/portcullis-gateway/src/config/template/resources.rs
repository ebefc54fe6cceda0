//! What `Ref` and `Fn::GetAtt` give for a template's resources, locally.
//!
//! Nothing is deployed, so the values are built the way AWS builds them, from
//! the resource's name, the region, the account and the partition.
//!
//! **Physical names.** A resource is named by its own name property
//! (`FunctionName`, `TableName`, `QueueName`, `BucketName`, `TopicName`,
//! `StateMachineName`, `Name`, `RoleName`, `UserPoolName`, ...) when that is
//! a string, else by its logical id: where CloudFormation would generate
//! `mystack-ItemsTable-1A2B3C`, the table is `ItemsTable` here, so that is the
//! table to create in DynamoDB Local. Two exceptions follow the service's own
//! rules: an S3 bucket without a name is the logical id in lower case (bucket
//! names are lower case), and a FIFO queue or topic without a name gets the
//! `.fifo` suffix AWS requires.
//!
//! **Ids.** What AWS gives a generated id (a deployment, an API key, an
//! AppConfig application, a user pool client, ...) is the logical id here;
//! an API (REST, HTTP or WebSocket) is its logical id in lower case, the id
//! the gateway serves it under; a Cognito user pool is `{region}_{logicalId}`. Ids that are
//! never named by the template (a REST API's root resource, an IAM role's
//! `RoleId`) are derived from the logical id, so they stay the same from one
//! run to the next.

use crate::config::openapi::tree::Node;

/// Where the template is "deployed": what ARNs and URLs are made of.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env<'a> {
    /// `AWS::Region`.
    pub(crate) region: &'a str,
    /// `AWS::AccountId`.
    pub(crate) account_id: &'a str,
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub(crate) partition: &'a str,
    /// `amazonaws.com` or `amazonaws.com.cn`.
    pub(crate) url_suffix: &'a str,
    /// `AWS::StackName`.
    pub(crate) stack_name: &'a str,
}

/// What `Ref` and `Fn::GetAtt` give for a resource of `type_` with `properties`, named
/// `logical_id`, in `region`/`account`/`partition`.
///
/// A type this module does not know gives its logical id.
pub(crate) fn reference(logical_id: &str, type_: &str, properties: &Node, env: &Env<'_>) -> Node {
    let r = Resource {
        id: logical_id,
        type_,
        props: properties,
        env,
    };
    Node::Str(r.reference())
}

/// The value of `Fn::GetAtt [logical_id, attribute]`. `None` from `attribute` means the type
/// has no such attribute (the caller reports it), or that the type is not one
/// this module knows.
pub(crate) fn attribute(
    logical_id: &str,
    type_: &str,
    properties: &Node,
    attribute: &str,
    env: &Env<'_>,
) -> Option<Node> {
    let r = Resource {
        id: logical_id,
        type_,
        props: properties,
        env,
    };
    r.attribute(attribute)
}

/// SAM's referable properties, `Ref: MyFunction.Alias` and the like: the
/// resources SAM generates for `logical_id`, named `{logical_id}.{property}`.
/// `None` when the type has no such property.
pub(crate) fn sam_reference(
    logical_id: &str,
    type_: &str,
    properties: &Node,
    property: &str,
    env: &Env<'_>,
) -> Option<Node> {
    let r = Resource {
        id: logical_id,
        type_,
        props: properties,
        env,
    };
    let value = match (type_, property) {
        ("AWS::Serverless::Function", "Alias") => {
            let alias = r.text("AutoPublishAlias")?;
            format!("{}:{alias}", r.function_arn())
        }
        ("AWS::Serverless::Function", "Version") => {
            r.text("AutoPublishAlias")?;
            format!("{}:1", r.function_arn())
        }
        ("AWS::Serverless::Api", "Stage") => r.text("StageName").unwrap_or("Prod").to_owned(),
        ("AWS::Serverless::HttpApi", "Stage") => {
            r.text("StageName").unwrap_or("$default").to_owned()
        }
        ("AWS::Serverless::Api", "Deployment") => format!("{logical_id}Deployment"),
        ("AWS::Serverless::HttpApi", "Deployment") => format!("{logical_id}Deployment"),
        ("AWS::Serverless::StateMachine", "Name") => r.name(),
        _ => return None,
    };
    Some(Node::Str(value))
}

/// The name property of each type with one (`None`: the type has no name of its own).
fn name_property(type_: &str) -> Option<&'static str> {
    Some(match type_ {
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => "FunctionName",
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => "TableName",
        "AWS::SQS::Queue" => "QueueName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::StepFunctions::StateMachine" => "StateMachineName",
        "AWS::Serverless::StateMachine"
        | "AWS::Kinesis::Stream"
        | "AWS::Events::EventBus"
        | "AWS::Events::Rule"
        | "AWS::SSM::Parameter"
        | "AWS::ApiGateway::RestApi"
        | "AWS::ApiGateway::ApiKey"
        | "AWS::ApiGateway::Authorizer"
        | "AWS::ApiGateway::Model"
        | "AWS::ApiGatewayV2::Api"
        | "AWS::ApiGatewayV2::Authorizer"
        | "AWS::Serverless::Api"
        | "AWS::AppConfig::Application"
        | "AWS::AppConfig::Environment"
        | "AWS::AppConfig::ConfigurationProfile"
        | "AWS::SecretsManager::Secret" => "Name",
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::Policy" => "PolicyName",
        "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
        "AWS::Cognito::UserPool" => "UserPoolName",
        "AWS::Cognito::UserPoolClient" => "ClientName",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::ApiGateway::Stage" | "AWS::ApiGatewayV2::Stage" => "StageName",
        "AWS::ApiGateway::UsagePlan" => "UsagePlanName",
        "AWS::Lambda::LayerVersion" | "AWS::Serverless::LayerVersion" => "LayerName",
        _ => return None,
    })
}

struct Resource<'a> {
    id: &'a str,
    type_: &'a str,
    props: &'a Node,
    env: &'a Env<'a>,
}

impl Resource<'_> {
    /// A property given as a plain string.
    fn text(&self, key: &str) -> Option<&str> {
        self.props.get(key).and_then(Node::as_str)
    }

    /// A property that is `true` (or `"true"`).
    fn flag(&self, key: &str) -> bool {
        match self.props.get(key) {
            Some(Node::Bool(b)) => *b,
            Some(Node::Str(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }

    /// The physical name: the name property when it is a string, else the logical id.
    fn name(&self) -> String {
        if let Some(name) = name_property(self.type_).and_then(|key| self.text(key)) {
            return name.to_owned();
        }
        match self.type_ {
            "AWS::S3::Bucket" => self.id.to_ascii_lowercase(),
            "AWS::SQS::Queue" if self.flag("FifoQueue") => format!("{}.fifo", self.id),
            "AWS::SNS::Topic" if self.flag("FifoTopic") => format!("{}.fifo", self.id),
            _ => self.id.to_owned(),
        }
    }

    /// `arn:{partition}:{service}:{region}:{account}:{resource}`.
    fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{resource}",
            self.env.partition, self.env.region, self.env.account_id
        )
    }

    /// An ARN of a global service (IAM): no region.
    fn global_arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}::{}:{resource}",
            self.env.partition, self.env.account_id
        )
    }

    fn function_arn(&self) -> String {
        self.arn("lambda", &format!("function:{}", self.name()))
    }

    /// An ARN of a function named by a `FunctionName` property that may be an
    /// ARN already (`AWS::Lambda::Version`, `AWS::Lambda::Alias`;
    /// `TargetFunctionArn` for `AWS::Lambda::Url`).
    fn target_function_arn(&self) -> String {
        let key = if self.type_ == "AWS::Lambda::Url" {
            "TargetFunctionArn"
        } else {
            "FunctionName"
        };
        match self.text(key) {
            Some(arn) if arn.starts_with("arn:") => arn.to_owned(),
            Some(name) => self.arn("lambda", &format!("function:{name}")),
            None => self.arn("lambda", &format!("function:{}", self.id)),
        }
    }

    fn queue_url(&self) -> String {
        format!(
            "https://sqs.{}.{}/{}/{}",
            self.env.region,
            self.env.url_suffix,
            self.env.account_id,
            self.name()
        )
    }

    fn state_machine_arn(&self) -> String {
        self.arn("states", &format!("stateMachine:{}", self.name()))
    }

    fn table_arn(&self) -> String {
        self.arn("dynamodb", &format!("table/{}", self.name()))
    }

    /// An API's id: its logical id in lower case (AWS's ids are lower case;
    /// the gateway serves the API under this id).
    fn api_id(&self) -> String {
        self.id.to_ascii_lowercase()
    }

    fn user_pool_id(&self) -> String {
        format!("{}_{}", self.env.region, self.id)
    }

    /// `Path` + name, as IAM ARNs have them (`/` when there is no path).
    fn iam_path_name(&self) -> String {
        let path = self.text("Path").unwrap_or("/");
        let path = if path.ends_with('/') {
            path.to_owned()
        } else {
            format!("{path}/")
        };
        format!("{path}{}", self.name())
    }

    fn event_bus(&self) -> Option<&str> {
        self.text("EventBusName").filter(|bus| *bus != "default")
    }

    fn secret_arn(&self) -> String {
        let name = self.name();
        let suffix = derived_id(&name, 6, ALNUM_MIXED);
        self.arn("secretsmanager", &format!("secret:{name}-{suffix}"))
    }

    fn reference(&self) -> String {
        match self.type_ {
            "AWS::SQS::Queue" => self.queue_url(),
            "AWS::SNS::Topic" => self.arn("sns", &self.name()),
            "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
                self.state_machine_arn()
            }
            "AWS::IAM::ManagedPolicy" => {
                self.global_arn("iam", &format!("policy{}", self.iam_path_name()))
            }
            "AWS::Cognito::UserPool" => self.user_pool_id(),
            "AWS::Events::Rule" => match self.event_bus() {
                // Rules on a custom bus are `bus|rule`.
                Some(bus) => format!("{}|{}", bus_name(bus), self.name()),
                None => self.name(),
            },
            "AWS::Lambda::Version" => format!("{}:1", self.target_function_arn()),
            "AWS::Lambda::Alias" => format!(
                "{}:{}",
                self.target_function_arn(),
                self.text("Name").unwrap_or(self.id)
            ),
            "AWS::Lambda::LayerVersion" | "AWS::Serverless::LayerVersion" => {
                self.arn("lambda", &format!("layer:{}:1", self.name()))
            }
            "AWS::SecretsManager::Secret" => self.secret_arn(),
            "AWS::ApiGateway::RestApi"
            | "AWS::Serverless::Api"
            | "AWS::ApiGatewayV2::Api"
            | "AWS::Serverless::HttpApi" => self.api_id(),
            // A nested stack is named `{parent}-{LogicalId}-{random}`; its Ref is its id.
            "AWS::CloudFormation::Stack" => self.arn(
                "cloudformation",
                &format!(
                    "stack/{}-{}/00000000-0000-0000-0000-000000000000",
                    self.env.stack_name, self.id
                ),
            ),
            // Ref is the name.
            "AWS::Lambda::Function"
            | "AWS::Serverless::Function"
            | "AWS::DynamoDB::Table"
            | "AWS::Serverless::SimpleTable"
            | "AWS::S3::Bucket"
            | "AWS::Kinesis::Stream"
            | "AWS::Events::EventBus"
            | "AWS::IAM::Role"
            | "AWS::IAM::Policy"
            | "AWS::Logs::LogGroup"
            | "AWS::SSM::Parameter"
            | "AWS::ApiGateway::Stage"
            | "AWS::ApiGateway::Model"
            | "AWS::ApiGatewayV2::Stage" => self.name(),
            // Ref is an id AWS generates: the logical id here.
            _ => self.id.to_owned(),
        }
    }

    fn attribute(&self, attribute: &str) -> Option<Node> {
        let s = |text: String| Some(Node::Str(text));
        match (self.type_, attribute) {
            // Lambda
            ("AWS::Lambda::Function" | "AWS::Serverless::Function", "Arn") => {
                s(self.function_arn())
            }
            (
                "AWS::Lambda::Function" | "AWS::Serverless::Function",
                "SnapStartResponse.ApplyOn",
            ) => s(self.snap_start_apply_on().to_owned()),
            (
                "AWS::Lambda::Function" | "AWS::Serverless::Function",
                "SnapStartResponse.OptimizationStatus",
            ) => s(if self.snap_start_apply_on() == "None" {
                "Off".to_owned()
            } else {
                "On".to_owned()
            }),
            ("AWS::Lambda::Function" | "AWS::Serverless::Function", "SnapStartResponse") => {
                let apply_on = self.snap_start_apply_on();
                let status = if apply_on == "None" { "Off" } else { "On" };
                Some(Node::Map(vec![
                    ("ApplyOn".to_owned(), Node::Str(apply_on.to_owned())),
                    (
                        "OptimizationStatus".to_owned(),
                        Node::Str(status.to_owned()),
                    ),
                ]))
            }
            ("AWS::Lambda::Version", "Version") => s("1".to_owned()),
            ("AWS::Lambda::Version", "FunctionArn") => s(self.target_function_arn()),
            ("AWS::Lambda::Alias", "AliasArn") => s(self.reference()),
            ("AWS::Lambda::LayerVersion", "LayerVersionArn") => s(self.reference()),
            ("AWS::Lambda::Url", "FunctionArn") => s(self.target_function_arn()),
            ("AWS::Lambda::Url", "FunctionUrl") => s(format!(
                "https://{}.lambda-url.{}.on.aws/",
                derived_id(self.id, 32, LOWER_ALNUM),
                self.env.region
            )),

            // API Gateway (REST)
            ("AWS::ApiGateway::RestApi" | "AWS::Serverless::Api", "RestApiId") => s(self.api_id()),
            ("AWS::ApiGateway::RestApi" | "AWS::Serverless::Api", "RootResourceId") => {
                s(derived_id(&format!("{}/", self.id), 10, LOWER_ALNUM))
            }
            ("AWS::ApiGateway::ApiKey", "APIKeyId") => s(self.id.to_owned()),
            ("AWS::ApiGateway::UsagePlan", "Id") => s(self.id.to_owned()),
            ("AWS::ApiGateway::Deployment", "DeploymentId") => s(self.id.to_owned()),
            ("AWS::ApiGateway::Authorizer", "AuthorizerId") => s(self.id.to_owned()),
            ("AWS::ApiGateway::Resource", "ResourceId") => s(self.id.to_owned()),
            ("AWS::ApiGateway::RequestValidator", "RequestValidatorId") => s(self.id.to_owned()),

            // API Gateway (HTTP and WebSocket)
            ("AWS::ApiGatewayV2::Api" | "AWS::Serverless::HttpApi", "ApiId") => s(self.api_id()),
            ("AWS::ApiGatewayV2::Api" | "AWS::Serverless::HttpApi", "ApiEndpoint") => {
                let scheme = match self.text("ProtocolType") {
                    Some("WEBSOCKET") => "wss",
                    _ => "https",
                };
                s(format!(
                    "{scheme}://{}.execute-api.{}.{}",
                    self.api_id(),
                    self.env.region,
                    self.env.url_suffix
                ))
            }
            ("AWS::ApiGatewayV2::Route", "RouteId") => s(self.id.to_owned()),
            ("AWS::ApiGatewayV2::Integration", "IntegrationId") => s(self.id.to_owned()),
            ("AWS::ApiGatewayV2::Authorizer", "AuthorizerId") => s(self.id.to_owned()),
            ("AWS::ApiGatewayV2::Deployment", "DeploymentId") => s(self.id.to_owned()),

            // DynamoDB
            ("AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable", "Arn") => s(self.table_arn()),
            ("AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable", "StreamArn") => s(format!(
                "{}/stream/1970-01-01T00:00:00.000",
                self.table_arn()
            )),

            // SQS
            ("AWS::SQS::Queue", "Arn") => s(self.arn("sqs", &self.name())),
            ("AWS::SQS::Queue", "QueueName") => s(self.name()),
            ("AWS::SQS::Queue", "QueueUrl") => s(self.queue_url()),

            // SNS
            ("AWS::SNS::Topic", "TopicArn") => s(self.arn("sns", &self.name())),
            ("AWS::SNS::Topic", "TopicName") => s(self.name()),

            // S3
            ("AWS::S3::Bucket", "Arn") => {
                s(format!("arn:{}:s3:::{}", self.env.partition, self.name()))
            }
            ("AWS::S3::Bucket", "DomainName") => {
                s(format!("{}.s3.{}", self.name(), self.env.url_suffix))
            }
            ("AWS::S3::Bucket", "DualStackDomainName") => s(format!(
                "{}.s3.dualstack.{}.{}",
                self.name(),
                self.env.region,
                self.env.url_suffix
            )),
            ("AWS::S3::Bucket", "RegionalDomainName") => s(format!(
                "{}.s3.{}.{}",
                self.name(),
                self.env.region,
                self.env.url_suffix
            )),
            ("AWS::S3::Bucket", "WebsiteURL") => {
                // The oldest regions write the website endpoint with a dash.
                let separator = if DASHED_WEBSITE_REGIONS.contains(&self.env.region) {
                    '-'
                } else {
                    '.'
                };
                s(format!(
                    "http://{}.s3-website{separator}{}.{}",
                    self.name(),
                    self.env.region,
                    self.env.url_suffix
                ))
            }

            // Step Functions
            ("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine", "Arn") => {
                s(self.state_machine_arn())
            }
            ("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine", "Name") => {
                s(self.name())
            }
            ("AWS::StepFunctions::StateMachine", "StateMachineRevisionId") => {
                s(self.state_machine_arn())
            }

            // Kinesis
            ("AWS::Kinesis::Stream", "Arn") => {
                s(self.arn("kinesis", &format!("stream/{}", self.name())))
            }

            // EventBridge
            ("AWS::Events::EventBus", "Arn") => {
                s(self.arn("events", &format!("event-bus/{}", self.name())))
            }
            ("AWS::Events::EventBus", "Name") => s(self.name()),
            ("AWS::Events::Rule", "Arn") => {
                let rule = match self.event_bus() {
                    Some(bus) => format!("rule/{}/{}", bus_name(bus), self.name()),
                    None => format!("rule/{}", self.name()),
                };
                s(self.arn("events", &rule))
            }

            // IAM
            ("AWS::IAM::Role", "Arn") => {
                s(self.global_arn("iam", &format!("role{}", self.iam_path_name())))
            }
            ("AWS::IAM::Role", "RoleId") => {
                s(format!("AROA{}", derived_id(self.id, 17, UPPER_ALNUM)))
            }
            ("AWS::IAM::Policy", "Id") => s(self.name()),
            ("AWS::IAM::ManagedPolicy", "PolicyArn") => s(self.reference()),
            ("AWS::IAM::ManagedPolicy", "PolicyId") => {
                s(format!("ANPA{}", derived_id(self.id, 17, UPPER_ALNUM)))
            }
            ("AWS::IAM::ManagedPolicy", "DefaultVersionId") => s("v1".to_owned()),
            ("AWS::IAM::ManagedPolicy", "IsAttachable") => s("true".to_owned()),

            // Cognito
            ("AWS::Cognito::UserPool", "Arn") => {
                s(self.arn("cognito-idp", &format!("userpool/{}", self.user_pool_id())))
            }
            ("AWS::Cognito::UserPool", "UserPoolId") => s(self.user_pool_id()),
            ("AWS::Cognito::UserPool", "ProviderName") => s(format!(
                "cognito-idp.{}.{}/{}",
                self.env.region,
                self.env.url_suffix,
                self.user_pool_id()
            )),
            ("AWS::Cognito::UserPool", "ProviderURL") => s(format!(
                "https://cognito-idp.{}.{}/{}",
                self.env.region,
                self.env.url_suffix,
                self.user_pool_id()
            )),
            ("AWS::Cognito::UserPoolClient", "ClientId") => s(self.id.to_owned()),
            ("AWS::Cognito::UserPoolClient", "Name") => s(self.name()),

            // CloudWatch Logs
            ("AWS::Logs::LogGroup", "Arn") => {
                s(self.arn("logs", &format!("log-group:{}:*", self.name())))
            }

            // Systems Manager
            ("AWS::SSM::Parameter", "Type") => s(self.text("Type").unwrap_or("String").to_owned()),
            ("AWS::SSM::Parameter", "Value") => self.props.get("Value").cloned(),

            // Secrets Manager
            ("AWS::SecretsManager::Secret", "Id") => s(self.secret_arn()),

            // AppConfig
            ("AWS::AppConfig::Application", "ApplicationId") => s(self.id.to_owned()),
            ("AWS::AppConfig::Environment", "EnvironmentId") => s(self.id.to_owned()),
            ("AWS::AppConfig::ConfigurationProfile", "ConfigurationProfileId") => {
                s(self.id.to_owned())
            }

            _ => None,
        }
    }

    fn snap_start_apply_on(&self) -> &str {
        self.props
            .get("SnapStart")
            .and_then(|s| s.get("ApplyOn"))
            .and_then(Node::as_str)
            .unwrap_or("None")
    }
}

/// An event bus named by name or ARN: its name.
fn bus_name(bus: &str) -> &str {
    match bus.strip_prefix("arn:") {
        Some(rest) => rest
            .rsplit_once(":event-bus/")
            .map_or(bus, |(_, name)| name),
        None => bus,
    }
}

/// Regions whose S3 website endpoint is `s3-website-{region}`.
const DASHED_WEBSITE_REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "eu-west-1",
    "sa-east-1",
    "us-gov-west-1",
];

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM_MIXED: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// `len` characters of `alphabet` derived from `seed` (FNV-1a): the same seed
/// always gives the same id.
fn derived_id(seed: &str, len: usize, alphabet: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let base = alphabet.len() as u64;
    (0..len)
        .map(|_| {
            // Mix before each digit so long ids do not run out of entropy.
            hash ^= hash >> 29;
            hash = hash.wrapping_mul(0xbf58_476d_1ce4_e5b9);
            hash ^= hash >> 32;
            char::from(alphabet[(hash % base) as usize])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: Env<'static> = Env {
        region: "eu-west-1",
        account_id: "123456789012",
        partition: "aws",
        url_suffix: "amazonaws.com",
        stack_name: "shop",
    };

    fn props(entries: &[(&str, &str)]) -> Node {
        Node::Map(
            entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Node::Str((*v).to_owned())))
                .collect(),
        )
    }

    fn r(id: &str, type_: &str, p: &Node) -> String {
        reference(id, type_, p, &ENV).as_str().unwrap().to_owned()
    }

    fn a(id: &str, type_: &str, p: &Node, attr: &str) -> Option<String> {
        attribute(id, type_, p, attr, &ENV).map(|n| n.as_str().unwrap().to_owned())
    }

    #[test]
    fn functions() {
        let none = Node::Null;
        for t in ["AWS::Lambda::Function", "AWS::Serverless::Function"] {
            assert_eq!(r("Fn", t, &none), "Fn");
            assert_eq!(
                a("Fn", t, &none, "Arn").unwrap(),
                "arn:aws:lambda:eu-west-1:123456789012:function:Fn"
            );
            let named = props(&[("FunctionName", "orders")]);
            assert_eq!(r("Fn", t, &named), "orders");
            assert_eq!(
                a("Fn", t, &named, "Arn").unwrap(),
                "arn:aws:lambda:eu-west-1:123456789012:function:orders"
            );
            assert_eq!(a("Fn", t, &none, "Nope"), None);
        }
    }

    #[test]
    fn apis() {
        let none = Node::Null;
        for t in ["AWS::Serverless::Api", "AWS::ApiGateway::RestApi"] {
            assert_eq!(r("Api", t, &props(&[("Name", "shop")])), "api");
            assert_eq!(a("Api", t, &none, "RestApiId").unwrap(), "api");
            let root = a("Api", t, &none, "RootResourceId").unwrap();
            assert_eq!(root.len(), 10);
            assert_eq!(Some(root), a("Api", t, &none, "RootResourceId"));
        }
        for t in ["AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"] {
            assert_eq!(r("Http", t, &none), "http");
            assert_eq!(
                a("Http", t, &none, "ApiEndpoint").unwrap(),
                "https://http.execute-api.eu-west-1.amazonaws.com"
            );
            assert_eq!(a("Http", t, &none, "ApiId").unwrap(), "http");
        }
        assert_eq!(
            r(
                "S",
                "AWS::ApiGateway::Stage",
                &props(&[("StageName", "prod")])
            ),
            "prod"
        );
        assert_eq!(
            r("K", "AWS::ApiGateway::ApiKey", &props(&[("Name", "k")])),
            "K"
        );
        assert_eq!(
            a("K", "AWS::ApiGateway::ApiKey", &none, "APIKeyId").unwrap(),
            "K"
        );
        assert_eq!(r("R", "AWS::ApiGatewayV2::Route", &none), "R");
        assert_eq!(
            a("R", "AWS::ApiGatewayV2::Route", &none, "RouteId").unwrap(),
            "R"
        );
    }

    #[test]
    fn tables_queues_topics() {
        let none = Node::Null;
        assert_eq!(r("Items", "AWS::DynamoDB::Table", &none), "Items");
        assert_eq!(
            a(
                "Items",
                "AWS::DynamoDB::Table",
                &props(&[("TableName", "items")]),
                "Arn"
            )
            .unwrap(),
            "arn:aws:dynamodb:eu-west-1:123456789012:table/items"
        );
        assert!(
            a("Items", "AWS::Serverless::SimpleTable", &none, "StreamArn")
                .unwrap()
                .starts_with("arn:aws:dynamodb:eu-west-1:123456789012:table/Items/stream/")
        );
        assert_eq!(
            r("Q", "AWS::SQS::Queue", &none),
            "https://sqs.eu-west-1.amazonaws.com/123456789012/Q"
        );
        assert_eq!(
            a("Q", "AWS::SQS::Queue", &none, "Arn").unwrap(),
            "arn:aws:sqs:eu-west-1:123456789012:Q"
        );
        let fifo = Node::Map(vec![("FifoQueue".into(), Node::Bool(true))]);
        assert_eq!(
            a("Q", "AWS::SQS::Queue", &fifo, "QueueName").unwrap(),
            "Q.fifo"
        );
        assert_eq!(
            a("Q", "AWS::SQS::Queue", &none, "QueueUrl").unwrap(),
            r("Q", "AWS::SQS::Queue", &none)
        );
        assert_eq!(
            r("T", "AWS::SNS::Topic", &props(&[("TopicName", "news")])),
            "arn:aws:sns:eu-west-1:123456789012:news"
        );
        assert_eq!(a("T", "AWS::SNS::Topic", &none, "TopicName").unwrap(), "T");
    }

    #[test]
    fn buckets() {
        let none = Node::Null;
        assert_eq!(r("Assets", "AWS::S3::Bucket", &none), "assets");
        let named = props(&[("BucketName", "my-assets")]);
        assert_eq!(
            a("B", "AWS::S3::Bucket", &named, "Arn").unwrap(),
            "arn:aws:s3:::my-assets"
        );
        assert_eq!(
            a("B", "AWS::S3::Bucket", &named, "DomainName").unwrap(),
            "my-assets.s3.amazonaws.com"
        );
        assert_eq!(
            a("B", "AWS::S3::Bucket", &named, "RegionalDomainName").unwrap(),
            "my-assets.s3.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            a("B", "AWS::S3::Bucket", &named, "WebsiteURL").unwrap(),
            "http://my-assets.s3-website-eu-west-1.amazonaws.com"
        );
    }

    #[test]
    fn state_machines_streams_buses_rules() {
        let none = Node::Null;
        for t in [
            "AWS::StepFunctions::StateMachine",
            "AWS::Serverless::StateMachine",
        ] {
            assert_eq!(
                r("Flow", t, &none),
                "arn:aws:states:eu-west-1:123456789012:stateMachine:Flow"
            );
            assert_eq!(a("Flow", t, &none, "Name").unwrap(), "Flow");
        }
        assert_eq!(
            r(
                "F",
                "AWS::Serverless::StateMachine",
                &props(&[("Name", "orders")])
            ),
            "arn:aws:states:eu-west-1:123456789012:stateMachine:orders"
        );
        assert_eq!(r("S", "AWS::Kinesis::Stream", &none), "S");
        assert_eq!(
            a("S", "AWS::Kinesis::Stream", &none, "Arn").unwrap(),
            "arn:aws:kinesis:eu-west-1:123456789012:stream/S"
        );
        let bus = props(&[("Name", "orders")]);
        assert_eq!(r("Bus", "AWS::Events::EventBus", &bus), "orders");
        assert_eq!(
            a("Bus", "AWS::Events::EventBus", &bus, "Arn").unwrap(),
            "arn:aws:events:eu-west-1:123456789012:event-bus/orders"
        );
        assert_eq!(r("Rule", "AWS::Events::Rule", &none), "Rule");
        let on_bus = props(&[("EventBusName", "orders")]);
        assert_eq!(r("Rule", "AWS::Events::Rule", &on_bus), "orders|Rule");
        assert_eq!(
            a("Rule", "AWS::Events::Rule", &on_bus, "Arn").unwrap(),
            "arn:aws:events:eu-west-1:123456789012:rule/orders/Rule"
        );
    }

    #[test]
    fn iam_cognito_logs_ssm() {
        let none = Node::Null;
        assert_eq!(r("Role", "AWS::IAM::Role", &none), "Role");
        assert_eq!(
            a(
                "Role",
                "AWS::IAM::Role",
                &props(&[("Path", "/svc/")]),
                "Arn"
            )
            .unwrap(),
            "arn:aws:iam::123456789012:role/svc/Role"
        );
        let role_id = a("Role", "AWS::IAM::Role", &none, "RoleId").unwrap();
        assert!(
            role_id.starts_with("AROA") && role_id.len() == 21,
            "{role_id}"
        );
        assert_eq!(
            r("P", "AWS::IAM::ManagedPolicy", &none),
            "arn:aws:iam::123456789012:policy/P"
        );
        assert_eq!(r("Pool", "AWS::Cognito::UserPool", &none), "eu-west-1_Pool");
        assert_eq!(
            a("Pool", "AWS::Cognito::UserPool", &none, "ProviderURL").unwrap(),
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool"
        );
        assert_eq!(
            a("Pool", "AWS::Cognito::UserPool", &none, "ProviderName").unwrap(),
            "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool"
        );
        assert_eq!(
            a("Pool", "AWS::Cognito::UserPool", &none, "Arn").unwrap(),
            "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Pool"
        );
        assert_eq!(r("Client", "AWS::Cognito::UserPoolClient", &none), "Client");
        assert_eq!(
            a(
                "Logs",
                "AWS::Logs::LogGroup",
                &props(&[("LogGroupName", "/app")]),
                "Arn"
            )
            .unwrap(),
            "arn:aws:logs:eu-west-1:123456789012:log-group:/app:*"
        );
        let param = props(&[("Name", "/app/flag"), ("Value", "on")]);
        assert_eq!(r("P", "AWS::SSM::Parameter", &param), "/app/flag");
        assert_eq!(
            a("P", "AWS::SSM::Parameter", &param, "Value").unwrap(),
            "on"
        );
        assert_eq!(
            a("P", "AWS::SSM::Parameter", &param, "Type").unwrap(),
            "String"
        );
        assert_eq!(
            r(
                "App",
                "AWS::AppConfig::Application",
                &props(&[("Name", "x")])
            ),
            "App"
        );
    }

    #[test]
    fn nested_stacks_are_named_after_the_parent() {
        assert_eq!(
            r("Network", "AWS::CloudFormation::Stack", &Node::Null),
            "arn:aws:cloudformation:eu-west-1:123456789012:stack/shop-Network/00000000-0000-0000-0000-000000000000"
        );
    }

    #[test]
    fn unknown_types_ref_their_logical_id() {
        assert_eq!(r("Thing", "AWS::Foo::Bar", &Node::Null), "Thing");
        assert_eq!(a("Thing", "AWS::Foo::Bar", &Node::Null, "Arn"), None);
    }

    #[test]
    fn sam_referable_properties() {
        let p = props(&[("AutoPublishAlias", "live")]);
        assert_eq!(
            sam_reference("Fn", "AWS::Serverless::Function", &p, "Alias", &ENV),
            Some(Node::Str(
                "arn:aws:lambda:eu-west-1:123456789012:function:Fn:live".into()
            ))
        );
        assert_eq!(
            sam_reference(
                "Fn",
                "AWS::Serverless::Function",
                &Node::Null,
                "Alias",
                &ENV
            ),
            None
        );
        assert_eq!(
            sam_reference(
                "Api",
                "AWS::Serverless::Api",
                &props(&[("StageName", "v1")]),
                "Stage",
                &ENV
            ),
            Some(Node::Str("v1".into()))
        );
    }

    #[test]
    fn china_partition() {
        let env = Env {
            region: "cn-north-1",
            partition: "aws-cn",
            url_suffix: "amazonaws.com.cn",
            ..ENV
        };
        assert_eq!(
            reference("Q", "AWS::SQS::Queue", &Node::Null, &env),
            Node::Str("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/Q".into())
        );
        assert_eq!(
            attribute("F", "AWS::Lambda::Function", &Node::Null, "Arn", &env),
            Some(Node::Str(
                "arn:aws-cn:lambda:cn-north-1:123456789012:function:F".into()
            ))
        );
    }
}
