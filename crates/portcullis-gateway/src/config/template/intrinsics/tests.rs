use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::config::template::yaml;

struct Given<'a> {
    overrides: &'a [(&'a str, &'a str)],
    imports: &'a [(&'a str, &'a str)],
    region: &'a str,
    base_dir: &'a Path,
}

fn base() -> Given<'static> {
    Given {
        overrides: &[],
        imports: &[],
        region: "eu-west-1",
        base_dir: Path::new("."),
    }
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn resolve_with(text: &str, given: &Given<'_>) -> Result<Resolved, Vec<TemplateError>> {
    let root = yaml::parse(text).unwrap_or_else(|e| panic!("{e:?}"));
    let overrides = map(given.overrides);
    let imports = map(given.imports);
    let inputs = Inputs {
        unused: None,
        overrides: &overrides,
        imports: &imports,
        region: given.region,
        account_id: "123456789012",
        stack_name: "shop",
        base_dir: given.base_dir,
    };
    resolve(&root, &inputs)
}

fn ok(text: &str) -> Resolved {
    ok_with(text, &base())
}

fn ok_with(text: &str, given: &Given<'_>) -> Resolved {
    resolve_with(text, given).unwrap_or_else(|errors| panic!("{errors:#?}"))
}

fn problems(text: &str) -> Vec<TemplateError> {
    errors_with(text, &base())
}

fn errors_with(text: &str, given: &Given<'_>) -> Vec<TemplateError> {
    match resolve_with(text, given) {
        Ok(resolved) => panic!("expected errors, got {resolved:#?}"),
        Err(errors) => errors,
    }
}

fn has_error(errors: &[TemplateError], location: &str, fragment: &str) -> bool {
    errors
        .iter()
        .any(|e| e.location == location && e.message.contains(fragment))
}

#[track_caller]
fn assert_error(errors: &[TemplateError], location: &str, fragment: &str) {
    assert!(
        has_error(errors, location, fragment),
        "no error at `{location}` containing `{fragment}` in {errors:#?}"
    );
}

fn resource<'r>(resolved: &'r Resolved, id: &str) -> &'r Node {
    resolved
        .resources
        .iter()
        .find(|(i, _)| i == id)
        .map(|(_, node)| node)
        .unwrap_or_else(|| panic!("no resource {id} in {:?}", resolved.resources))
}

fn prop<'r>(resolved: &'r Resolved, id: &str, key: &str) -> &'r Node {
    resource(resolved, id)
        .get("Properties")
        .and_then(|p| p.get(key))
        .unwrap_or_else(|| panic!("no {id}.Properties.{key}"))
}

fn s(text: &str) -> Node {
    Node::Str(text.to_owned())
}

fn strs(items: &[&str]) -> Node {
    Node::Seq(items.iter().map(|i| s(i)).collect())
}

/// A template with one `AWS::SNS::Topic` named `T` whose `Properties.V` is `value`.
fn one(value: &str) -> String {
    format!("Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      V: {value}\n")
}

fn value_of(value: &str) -> Node {
    prop(&ok(&one(value)), "T", "V").clone()
}

fn error_of(value: &str) -> Vec<TemplateError> {
    problems(&one(value))
}

// ===== pseudo parameters =====

#[test]
fn pseudo_parameters() {
    assert_eq!(value_of("!Ref AWS::Region"), s("eu-west-1"));
    assert_eq!(value_of("!Ref AWS::AccountId"), s("123456789012"));
    assert_eq!(value_of("!Ref AWS::Partition"), s("aws"));
    assert_eq!(value_of("!Ref AWS::URLSuffix"), s("amazonaws.com"));
    assert_eq!(value_of("!Ref AWS::StackName"), s("shop"));
    assert_eq!(
        value_of("!Ref AWS::StackId"),
        s(
            "arn:aws:cloudformation:eu-west-1:123456789012:stack/shop/00000000-0000-0000-0000-000000000000"
        )
    );
    assert_eq!(value_of("!Ref AWS::NotificationARNs"), Node::Seq(vec![]));
    let errors = error_of("!Ref AWS::Nope");
    assert_error(
        &errors,
        "Resources.T.Properties.V",
        "`AWS::Nope` is not a pseudo parameter",
    );
}

#[test]
fn partitions_follow_the_region() {
    let china = Given {
        region: "cn-north-1",
        ..base()
    };
    let resolved = ok_with(&one("[!Ref AWS::Partition, !Ref AWS::URLSuffix]"), &china);
    assert_eq!(
        prop(&resolved, "T", "V"),
        &strs(&["aws-cn", "amazonaws.com.cn"])
    );
    let gov = Given {
        region: "us-gov-west-1",
        ..base()
    };
    let resolved = ok_with(&one("[!Ref AWS::Partition, !Ref AWS::URLSuffix]"), &gov);
    assert_eq!(
        prop(&resolved, "T", "V"),
        &strs(&["aws-us-gov", "amazonaws.com"])
    );
}

// ===== parameters =====

const PARAMETERS: &str = "
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Size:
    Type: Number
    Default: 5
    MinValue: 1
    MaxValue: 10
  Zones:
    Type: CommaDelimitedList
    Default: 'a, b ,c'
  Ports:
    Type: List<Number>
    Default: '80,443'
  Vpc:
    Type: AWS::EC2::VPC::Id
    Default: vpc-1
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
    Default: subnet-1,subnet-2
  Name:
    Type: String
    Default: abc
    MinLength: 2
    MaxLength: 5
    AllowedPattern: '[a-z]+'
    ConstraintDescription: lower-case letters
Resources:
  T:
    Type: AWS::SNS::Topic
    Properties:
      Stage: !Ref Stage
      Size: !Ref Size
      Zones: !Ref Zones
      Ports: !Ref Ports
      Vpc: !Ref Vpc
      Subnets: !Ref Subnets
      Name: !Ref Name
";

#[test]
fn parameter_defaults_and_types() {
    let resolved = ok(PARAMETERS);
    assert_eq!(prop(&resolved, "T", "Stage"), &s("dev"));
    // Number parameters are strings when referenced.
    assert_eq!(prop(&resolved, "T", "Size"), &s("5"));
    assert_eq!(prop(&resolved, "T", "Zones"), &strs(&["a", "b", "c"]));
    assert_eq!(prop(&resolved, "T", "Ports"), &strs(&["80", "443"]));
    assert_eq!(prop(&resolved, "T", "Vpc"), &s("vpc-1"));
    assert_eq!(
        prop(&resolved, "T", "Subnets"),
        &strs(&["subnet-1", "subnet-2"])
    );
    assert_eq!(resolved.parameters.get("Stage"), Some(&s("dev")));
    assert_eq!(resolved.parameters.len(), 7);
    assert!(resolved.warnings.is_empty(), "{:?}", resolved.warnings);
}

#[test]
fn parameter_overrides() {
    let given = Given {
        overrides: &[
            ("Stage", "prod"),
            ("Zones", "x"),
            ("Size", "10"),
            ("Nope", "1"),
        ],
        ..base()
    };
    let resolved = ok_with(PARAMETERS, &given);
    assert_eq!(prop(&resolved, "T", "Stage"), &s("prod"));
    assert_eq!(prop(&resolved, "T", "Zones"), &strs(&["x"]));
    assert_eq!(prop(&resolved, "T", "Size"), &s("10"));
    assert_eq!(
        resolved.warnings,
        vec![(
            "--parameter-overrides".to_owned(),
            "`Nope` names no parameter of the template (nor an export it imports); it is ignored"
                .to_owned()
        )]
    );
}

#[test]
fn parameter_constraint_violations() {
    let given = Given {
        overrides: &[
            ("Stage", "qa"),
            ("Size", "11"),
            ("Ports", "80,http"),
            ("Name", "ABCDEFG"),
        ],
        ..base()
    };
    let errors = errors_with(PARAMETERS, &given);
    assert_error(
        &errors,
        "Parameters.Stage",
        "the value `qa` (from --parameter-overrides) is not one of AllowedValues [dev, prod]",
    );
    assert_error(&errors, "Parameters.Size", "greater than MaxValue 10");
    assert_error(
        &errors,
        "Parameters.Ports",
        "the item `http` of the value `80,http` (from --parameter-overrides) is not a number",
    );
    assert_error(
        &errors,
        "Parameters.Name",
        "longer than MaxLength 5 (lower-case letters)",
    );
    assert_error(
        &errors,
        "Parameters.Name",
        "does not match AllowedPattern `[a-z]+`",
    );
    // A parameter that failed is not also reported where it is referenced.
    assert!(
        !errors.iter().any(|e| e.location.starts_with("Resources")),
        "{errors:#?}"
    );

    let given = Given {
        overrides: &[("Size", "0"), ("Name", "a")],
        ..base()
    };
    let errors = errors_with(PARAMETERS, &given);
    assert_error(&errors, "Parameters.Size", "less than MinValue 1");
    assert_error(&errors, "Parameters.Name", "shorter than MinLength 2");

    let given = Given {
        overrides: &[("Size", "many")],
        ..base()
    };
    assert_error(
        &errors_with(PARAMETERS, &given),
        "Parameters.Size",
        "`many` (from --parameter-overrides) is not a number",
    );
}

#[test]
fn defaults_are_checked_too() {
    let errors = problems(
        "Parameters:\n  P:\n    Type: String\n    Default: x\n    AllowedValues: [a, b]\nResources: {}\n",
    );
    assert_error(
        &errors,
        "Parameters.P",
        "the value `x` (from Default) is not one of AllowedValues [a, b]",
    );
}

#[test]
fn parameters_without_a_value_and_bad_types() {
    let errors = problems(
        "Parameters:\n  Table:\n    Type: String\n  Odd:\n    Type: Strang\n    Default: x\n  Bad-Name:\n    Type: String\nResources: {}\n",
    );
    assert_error(
        &errors,
        "Parameters.Table",
        "`Table` has no value: give it a Default, or a value with --parameter-overrides Table=VALUE",
    );
    assert_error(
        &errors,
        "Parameters.Odd.Type",
        "`Strang` is not a parameter type",
    );
    assert_error(&errors, "Parameters.Bad-Name", "not a valid parameter name");
}

#[test]
fn ssm_parameter_types_use_the_text_with_a_warning() {
    let resolved = ok(
        "Parameters:\n  Ami:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /base/ami\n  Ids:\n    Type: AWS::SSM::Parameter::Value<List<String>>\n    Default: a,b\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      A: !Ref Ami\n      I: !Ref Ids\n",
    );
    assert_eq!(prop(&resolved, "T", "A"), &s("/base/ami"));
    assert_eq!(prop(&resolved, "T", "I"), &strs(&["a", "b"]));
    assert_eq!(resolved.warnings.len(), 2);
    assert_eq!(resolved.warnings[0].0, "Parameters.Ami");
    assert!(
        resolved.warnings[0]
            .1
            .contains("Systems Manager is not read"),
        "{:?}",
        resolved.warnings
    );
}

// ===== conditions =====

const CONDITIONS: &str = "
Parameters:
  Stage:
    Type: String
    Default: prod
  Region2:
    Type: String
    Default: eu-west-1
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  InRegion: !Equals [!Ref AWS::Region, !Ref Region2]
  ProdHere: !And [!Condition IsProd, !Condition InRegion]
  Either: !Or [!Condition IsDev, !Equals [a, b], !Condition ProdHere]
  Nested: !Not [!And [!Condition IsProd, !Not [!Condition InRegion]]]
Resources:
  ProdOnly:
    Type: AWS::SNS::Topic
    Condition: IsProd
  DevOnly:
    Type: AWS::SNS::Topic
    Condition: IsDev
  T:
    Type: AWS::SNS::Topic
    Properties:
      Mode: !If [IsProd, live, test]
      Both: !If [Either, yes, no]
      Nested: !If [Nested, yes, no]
      Topic: !If [IsDev, !Ref DevOnly, !Ref ProdOnly]
      Equals: !Equals [1, '1']
";

#[test]
fn conditions_choose_values_and_resources() {
    let resolved = ok(CONDITIONS);
    let ids: Vec<&str> = resolved
        .resources
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(ids, ["ProdOnly", "T"]);
    assert_eq!(prop(&resolved, "T", "Mode"), &s("live"));
    assert_eq!(prop(&resolved, "T", "Both"), &s("yes"));
    assert_eq!(prop(&resolved, "T", "Nested"), &s("yes"));
    assert_eq!(
        prop(&resolved, "T", "Topic"),
        &s("arn:aws:sns:eu-west-1:123456789012:ProdOnly")
    );
    assert_eq!(prop(&resolved, "T", "Equals"), &Node::Bool(true));
    // The condition stays on the resource.
    assert_eq!(
        resource(&resolved, "ProdOnly").get("Condition"),
        Some(&s("IsProd"))
    );

    let dev = Given {
        overrides: &[("Stage", "dev")],
        ..base()
    };
    let resolved = ok_with(CONDITIONS, &dev);
    let ids: Vec<&str> = resolved
        .resources
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(ids, ["DevOnly", "T"]);
    assert_eq!(prop(&resolved, "T", "Mode"), &s("test"));
}

#[test]
fn references_to_resources_not_created_are_errors() {
    let text = CONDITIONS.replace(
        "      Equals: !Equals [1, '1']",
        "      Equals: !Ref DevOnly",
    );
    let errors = problems(&text);
    assert_error(
        &errors,
        "Resources.T.Properties.Equals",
        "the resource `DevOnly` is not created (its condition `IsDev` is false)",
    );
}

#[test]
fn condition_cycles_are_errors() {
    let errors = problems(
        "Conditions:\n  A: !Condition B\n  B: !Not [!Condition C]\n  C: !And [!Condition A, !Equals [x, x]]\n  D: !Equals [x, x]\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Condition: A\n",
    );
    assert_eq!(
        errors
            .iter()
            .filter(|e| e.message.contains("cycle"))
            .count(),
        1,
        "{errors:#?}"
    );
    assert_error(
        &errors,
        "Conditions.A",
        "the conditions reference each other in a cycle: A → B → C → A",
    );
    let errors = errors_with("Conditions:\n  A: !Condition A\nResources: {}\n", &base());
    assert_error(&errors, "Conditions.A", "A → A");
}

#[test]
fn condition_errors() {
    let errors = problems(
        "Conditions:\n  A: !Equals [x]\n  B: !Ref X\n  C: !And [!Condition A]\n  D: !Condition Missing\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Condition: Nope\n    Properties:\n      V: !If [Gone, a, b]\n  U:\n    Type: AWS::SNS::Topic\n    Properties:\n      V: !If [Gone, a, b]\n",
    );
    assert_error(
        &errors,
        "Conditions.A.Fn::Equals",
        "needs a list of two values",
    );
    assert_error(&errors, "Conditions.B", "a condition must be Fn::Equals");
    assert_error(
        &errors,
        "Conditions.C.Fn::And",
        "needs a list of 2 to 10 conditions",
    );
    assert_error(
        &errors,
        "Conditions.D.Condition",
        "no condition named `Missing`",
    );
    assert_error(
        &errors,
        "Resources.T.Condition",
        "no condition named `Nope`",
    );
    assert_error(
        &errors,
        "Resources.U.Properties.V.Fn::If[0]",
        "no condition named `Gone`",
    );
}

#[test]
fn conditions_cannot_reference_resources() {
    let errors = problems(
        "Conditions:\n  A: !Equals [!Ref T, x]\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Condition: A\n",
    );
    assert_error(
        &errors,
        "Conditions.A.Fn::Equals[0]",
        "conditions can't reference resources",
    );
}

// ===== AWS::NoValue =====

#[test]
fn no_value_removes_properties_and_items() {
    let resolved = ok(
        "Conditions:\n  No: !Equals [a, b]\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      Gone: !Ref AWS::NoValue\n      Maybe: !If [No, x, !Ref AWS::NoValue]\n      List: [a, !Ref AWS::NoValue, !If [No, c, !Ref AWS::NoValue], d]\n      Kept: 1\n  U:\n    Type: AWS::SNS::Topic\n    Properties: !If [No, {A: 1}, !Ref AWS::NoValue]\n",
    );
    let properties = resource(&resolved, "T").get("Properties").unwrap();
    let keys: Vec<&str> = properties
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(keys, ["List", "Kept"]);
    assert_eq!(prop(&resolved, "T", "List"), &strs(&["a", "d"]));
    assert_eq!(resource(&resolved, "U").get("Properties"), None);
    assert_eq!(
        resource(&resolved, "U").get("Type"),
        Some(&s("AWS::SNS::Topic"))
    );
}

// ===== Fn::Sub =====

#[test]
fn sub_string_and_variable_forms() {
    let text = "
Parameters:
  Stage:
    Type: String
    Default: dev
  List:
    Type: CommaDelimitedList
    Default: a,b
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      A: !Sub '${AWS::Region}-${Stage}-${Table}'
      B: !Sub '${Fn.Arn}'
      C: !Sub '${!Literal} and ${!Stage} and $ {x} and ${ Stage }'
      D: !Sub
        - '${Name}.${Domain}/${Stage}'
        - Name: !Ref Table
          Domain: example.com
          Stage: shadowed
      E: !Sub 'unclosed ${Stage'
      F: !Sub ['${Count}', {Count: 3}]
";
    let resolved = ok(text);
    assert_eq!(prop(&resolved, "Fn", "A"), &s("eu-west-1-dev-Table"));
    assert_eq!(
        prop(&resolved, "Fn", "B"),
        &s("arn:aws:lambda:eu-west-1:123456789012:function:Fn")
    );
    assert_eq!(
        prop(&resolved, "Fn", "C"),
        &s("${Literal} and ${Stage} and $ {x} and dev")
    );
    assert_eq!(prop(&resolved, "Fn", "D"), &s("Table.example.com/shadowed"));
    assert_eq!(prop(&resolved, "Fn", "E"), &s("unclosed ${Stage"));
    assert_eq!(prop(&resolved, "Fn", "F"), &s("3"));

    let errors =
        problems(&text.replace("'unclosed ${Stage'", "'${List} ${Nope} ${Table.Nope} ${}'"));
    let at = "Resources.Fn.Properties.E";
    assert_error(
        &errors,
        at,
        "Fn::Sub: `${List}` is a list; only strings can be substituted (join a list with Fn::Join)",
    );
    assert_error(
        &errors,
        at,
        "Fn::Sub: `Nope` is not a parameter, a resource or a pseudo parameter",
    );
    assert_error(
        &errors,
        at,
        "the resource `Table` (AWS::DynamoDB::Table) has no attribute `Nope`",
    );
    assert_error(&errors, at, "`${}` names no variable");
}

#[test]
fn sub_argument_errors() {
    assert_error(
        &error_of("!Sub [a]"),
        "Resources.T.Properties.V",
        "Fn::Sub needs a string",
    );
    assert_error(
        &error_of("!Sub [a, b]"),
        "Resources.T.Properties.V.Fn::Sub[1]",
        "the variables must be a mapping",
    );
    assert_error(
        &error_of("!Sub ['${X}', {X: !Ref AWS::NoValue}]"),
        "Resources.T.Properties.V.Fn::Sub[1].X",
        "can't be AWS::NoValue",
    );
}

// ===== the other functions =====

#[test]
fn join_select_split() {
    assert_eq!(
        value_of("!Join ['-', [a, !Ref AWS::Region, 3]]"),
        s("a-eu-west-1-3")
    );
    assert_eq!(value_of("!Join ['', []]"), s(""));
    assert_eq!(value_of("!Join [',', !Split ['|', 'a|b']]"), s("a,b"));
    assert_eq!(value_of("!Select [1, [a, b, c]]"), s("b"));
    assert_eq!(value_of("!Select ['2', [a, b, c]]"), s("c"));
    assert_eq!(value_of("!Select [0, !GetAZs '']"), s("eu-west-1a"));
    assert_eq!(
        value_of("!Select [0, [{a: 1}]]"),
        Node::Map(vec![("a".into(), Node::Int(1))])
    );
    assert_eq!(value_of("!Split [',', 'a,,b']"), strs(&["a", "", "b"]));

    assert_error(
        &error_of("!Select [3, [a]]"),
        "Resources.T.Properties.V.Fn::Select",
        "index 3 is past the end",
    );
    assert_error(
        &error_of("!Select [-1, [a]]"),
        "Resources.T.Properties.V.Fn::Select[0]",
        "whole number",
    );
    assert_error(
        &error_of("!Select [x, [a]]"),
        "Resources.T.Properties.V.Fn::Select[0]",
        "whole number",
    );
    assert_error(
        &error_of("!Select [0, a]"),
        "Resources.T.Properties.V.Fn::Select[1]",
        "needs a list here, not a string",
    );
    assert_error(
        &error_of("!Join ['-', [a, [b]]]"),
        "Resources.T.Properties.V.Fn::Join[1][1]",
        "values must be strings",
    );
    assert_error(
        &error_of("!Join ['-']"),
        "Resources.T.Properties.V.Fn::Join",
        "needs [delimiter, [values]]",
    );
    assert_error(
        &error_of("!Split ['', abc]"),
        "Resources.T.Properties.V.Fn::Split[0]",
        "can't be empty",
    );
}

#[test]
fn base64_azs_length_json() {
    assert_eq!(value_of("!Base64 'hello'"), s("aGVsbG8="));
    assert_eq!(
        value_of("{'Fn::Base64': !Sub '${AWS::Region}'}"),
        s("ZXUtd2VzdC0x")
    );
    assert_eq!(
        value_of("!GetAZs ''"),
        strs(&["eu-west-1a", "eu-west-1b", "eu-west-1c"])
    );
    assert_eq!(
        value_of("{'Fn::GetAZs': !Ref AWS::Region}"),
        strs(&["eu-west-1a", "eu-west-1b", "eu-west-1c"])
    );
    assert_eq!(
        value_of("!GetAZs us-east-2"),
        strs(&["us-east-2a", "us-east-2b", "us-east-2c"])
    );
    assert_eq!(value_of("!Length [a, b, c]"), Node::Int(3));
    assert_eq!(
        value_of("{'Fn::Length': !Split [',', 'a,b']}"),
        Node::Int(2)
    );
    assert_eq!(
        value_of("!ToJsonString {b: 1, a: [true, null, 'x\"y', 1.5], r: !Ref AWS::Region}"),
        s(r#"{"b":1,"a":[true,null,"x\"y",1.5],"r":"eu-west-1"}"#)
    );
    assert_error(
        &error_of("!ToJsonString abc"),
        "Resources.T.Properties.V",
        "needs a mapping or a list",
    );
    assert_error(
        &error_of("!Cidr ['10.0.0.0/16', 2, 8]"),
        "Resources.T.Properties.V",
        "Fn::Cidr is not supported",
    );
    assert_error(
        &error_of("!Length abc"),
        "Resources.T.Properties.V.Fn::Length",
        "needs a list",
    );
}

#[test]
fn import_value() {
    let given = Given {
        imports: &[("net-VpcId", "vpc-123"), ("net-${Vpc}Id", "vpc-123")],
        ..base()
    };
    let resolved = ok_with(&one("!ImportValue net-VpcId"), &given);
    assert_eq!(prop(&resolved, "T", "V"), &s("vpc-123"));
    // Exports and parameter overrides may come in one map: an override used
    // as an export is not warned about.
    let both = [("net-VpcId", "vpc-123"), ("Other", "x")];
    let given = Given {
        overrides: &both,
        imports: &both,
        ..base()
    };
    let resolved = ok_with(&one("!ImportValue net-VpcId"), &given);
    let warned: Vec<&str> = resolved.warnings.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].starts_with("`Other` names no parameter"),
        "{warned:?}"
    );
    let given = Given {
        imports: &[("net-VpcId", "vpc-123"), ("net-${Vpc}Id", "vpc-123")],
        ..base()
    };
    let resolved = ok_with(&one("{'Fn::ImportValue': !Sub 'net-${!Vpc}Id'}"), &given);
    assert_eq!(prop(&resolved, "T", "V"), &s("vpc-123"));
    let errors = errors_with(
        &one("{'Fn::ImportValue': !Sub '${AWS::StackName}-Queue'}"),
        &given,
    );
    assert_error(
        &errors,
        "Resources.T.Properties.V",
        "no value was given for the export `shop-Queue`",
    );
}

#[test]
fn find_in_map() {
    let text = "
Mappings:
  Regions:
    eu-west-1:
      Ami: ami-eu
      Zones: [a, b]
    '123':
      Ami: numeric
Parameters:
  Key:
    Type: String
    Default: Ami
Resources:
  T:
    Type: AWS::SNS::Topic
    Properties:
      A: !FindInMap [Regions, !Ref AWS::Region, !Ref Key]
      B: !FindInMap [Regions, !Ref AWS::Region, Zones]
      C: !FindInMap [Regions, 123, Ami]
      D: !FindInMap [Regions, us-east-1, Ami, {DefaultValue: fallback}]
      E: !FindInMap [Regions, eu-west-1, Ami, {DefaultValue: fallback}]
";
    let resolved = ok(text);
    assert_eq!(prop(&resolved, "T", "A"), &s("ami-eu"));
    assert_eq!(prop(&resolved, "T", "B"), &strs(&["a", "b"]));
    assert_eq!(prop(&resolved, "T", "C"), &s("numeric"));
    assert_eq!(prop(&resolved, "T", "D"), &s("fallback"));
    assert_eq!(prop(&resolved, "T", "E"), &s("ami-eu"));

    let errors =
        problems(&text.replace("us-east-1, Ami, {DefaultValue: fallback}", "us-east-1, Ami"));
    assert_error(
        &errors,
        "Resources.T.Properties.D.Fn::FindInMap",
        "the mapping `Regions` has no key `us-east-1`",
    );
    let errors = problems(&text.replace("[Regions, 123, Ami]", "[Nope, 123, Ami]"));
    assert_error(
        &errors,
        "Resources.T.Properties.C.Fn::FindInMap",
        "no mapping named `Nope`",
    );
    let errors = problems(&text.replace("[Regions, 123, Ami]", "[Regions, 123]"));
    assert_error(
        &errors,
        "Resources.T.Properties.C.Fn::FindInMap",
        "needs [MapName, TopLevelKey, SecondLevelKey]",
    );
}

#[test]
fn unknown_functions_and_bad_refs() {
    assert_error(
        &error_of("{'Fn::Foo': 1}"),
        "Resources.T.Properties.V",
        "`Fn::Foo` is not an intrinsic function",
    );
    assert_error(
        &error_of("!Ref [a]"),
        "Resources.T.Properties.V",
        "Ref needs the name",
    );
    assert_error(
        &error_of("!Ref Nothing"),
        "Resources.T.Properties.V",
        "`Nothing` is not a parameter, a resource or a pseudo parameter",
    );
    assert_error(
        &error_of("!ValueOf [a, b]"),
        "Resources.T.Properties.V",
        "only be used in a Rules section",
    );
    // A mapping with more keys than an intrinsic is a plain mapping; keys are never intrinsics.
    let value = value_of("{Ref: x, Other: y}");
    assert_eq!(value.get("Ref"), Some(&s("x")));
    let value = value_of("{'Fn::Sub': {Ref: AWS::Region}, b: 1}");
    assert_eq!(value.get("Fn::Sub"), Some(&s("eu-west-1")));
    // `Condition` is a plain key outside conditions (IAM policies use it).
    let value = value_of("{Condition: {StringEquals: {a: b}}}");
    assert!(value.get("Condition").is_some());
}

// ===== resources =====

#[test]
fn refs_and_get_atts_on_resources() {
    let text = "
Parameters:
  Attr:
    Type: String
    Default: Arn
Resources:
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub '${AWS::StackName}-items'
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          TABLE: !Ref Items
          TABLE_ARN: !GetAtt Items.Arn
          QUEUE: !Ref Queue
          QUEUE_ARN: !GetAtt [Queue, !Ref Attr]
          SELF: !Ref Fn
          LATER: !GetAtt Later.TopicArn
  Later:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Join ['-', [!Ref AWS::StackName, news]]
  Mine:
    Type: Custom::Thing
";
    let resolved = ok(text);
    let variables = prop(&resolved, "Fn", "Environment")
        .get("Variables")
        .unwrap();
    assert_eq!(variables.get("TABLE"), Some(&s("shop-items")));
    assert_eq!(
        variables.get("TABLE_ARN"),
        Some(&s(
            "arn:aws:dynamodb:eu-west-1:123456789012:table/shop-items"
        ))
    );
    assert_eq!(
        variables.get("QUEUE"),
        Some(&s("https://sqs.eu-west-1.amazonaws.com/123456789012/Queue"))
    );
    assert_eq!(
        variables.get("QUEUE_ARN"),
        Some(&s("arn:aws:sqs:eu-west-1:123456789012:Queue"))
    );
    assert_eq!(variables.get("SELF"), Some(&s("Fn")));
    // Resolved ahead of its turn, so its TopicName is resolved.
    assert_eq!(
        variables.get("LATER"),
        Some(&s("arn:aws:sns:eu-west-1:123456789012:shop-news"))
    );

    let errors = problems(&text.replace("!GetAtt Later.TopicArn", "!GetAtt Mine.Arn"));
    assert_error(
        &errors,
        "Resources.Fn.Properties.Environment.Variables.LATER",
        "the resource `Mine` (Custom::Thing) has no attribute `Arn`",
    );
    let errors = problems(&text.replace("!GetAtt Later.TopicArn", "!GetAtt Nope.Arn"));
    assert_error(
        &errors,
        "Resources.Fn.Properties.Environment.Variables.LATER",
        "Fn::GetAtt: no resource named `Nope`",
    );
    let errors = problems(&text.replace("!GetAtt Later.TopicArn", "!GetAtt Attr.Arn"));
    assert_error(
        &errors,
        "Resources.Fn.Properties.Environment.Variables.LATER",
        "`Attr` is a parameter, not a resource",
    );
    let errors = problems(&text.replace("!GetAtt Later.TopicArn", "{'Fn::GetAtt': Later}"));
    assert_error(
        &errors,
        "Resources.Fn.Properties.Environment.Variables.LATER",
        "Fn::GetAtt needs [LogicalId, Attribute]",
    );
    // The JSON string form `Later.Arn` is accepted.
    let resolved = ok(&text.replace("!GetAtt Later.TopicArn", "{'Fn::GetAtt': Later.TopicName}"));
    let variables = prop(&resolved, "Fn", "Environment")
        .get("Variables")
        .unwrap();
    assert_eq!(variables.get("LATER"), Some(&s("shop-news")));
}

#[test]
fn resources_referencing_each_other_see_what_is_written() {
    let resolved = ok(
        "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${B}-a'\n  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: b\n      Topic: !GetAtt A.TopicName\n",
    );
    assert_eq!(
        prop(&resolved, "A", "TopicName"),
        &s("https://sqs.eu-west-1.amazonaws.com/123456789012/b-a")
    );
    // B resolved while A was being resolved sees A as written (no plain name): the logical id.
    assert_eq!(prop(&resolved, "B", "Topic"), &s("A"));
}

#[test]
fn resource_declaration_errors() {
    let errors = problems(
        "Parameters:\n  Same:\n    Type: String\n    Default: x\nResources:\n  NoType: {Properties: {}}\n  Bad-Id:\n    Type: AWS::SNS::Topic\n  Same:\n    Type: AWS::SNS::Topic\n  Deps:\n    Type: AWS::SNS::Topic\n    DependsOn: [NoType, Ghost]\n  Props:\n    Type: AWS::SNS::Topic\n    Properties: [a]\n",
    );
    assert_error(&errors, "Resources.NoType", "has no Type");
    assert_error(&errors, "Resources.Bad-Id", "not a valid logical id");
    assert_error(&errors, "Resources.Same", "both a parameter and a resource");
    assert_error(
        &errors,
        "Resources.Deps.DependsOn",
        "no resource named `Ghost`",
    );
    assert_error(
        &errors,
        "Resources.Props.Properties",
        "must be a mapping, not a list",
    );
    assert!(
        !has_error(&errors, "Resources.Deps.DependsOn", "`NoType`"),
        "{errors:#?}"
    );

    assert_error(
        &problems("Parameters: {}\n"),
        "Resources",
        "the template has no Resources section",
    );
    assert_error(&problems("- a\n"), "", "a template must be a mapping");
}

#[test]
fn intrinsics_inside_definition_bodies_and_metadata() {
    let text = "
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: 3.0.1
        paths:
          /items/{id}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
    Metadata:
      Owner: !Ref AWS::AccountId
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
";
    let resolved = ok(text);
    let uri = prop(&resolved, "Api", "DefinitionBody")
        .get("paths")
        .and_then(|p| p.get("/items/{id}"))
        .and_then(|p| p.get("get"))
        .and_then(|p| p.get("x-amazon-apigateway-integration"))
        .and_then(|p| p.get("uri"))
        .unwrap();
    assert_eq!(
        uri,
        &s(
            "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:Fn/invocations"
        )
    );
    assert_eq!(
        resource(&resolved, "Api")
            .get("Metadata")
            .and_then(|m| m.get("Owner")),
        Some(&s("123456789012"))
    );
}

#[test]
fn sam_globals_and_implicit_resources() {
    let text = "
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Environment:
      Variables:
        REGION: !Ref AWS::Region
        TABLE: !Ref Items
Resources:
  Items:
    Type: AWS::Serverless::SimpleTable
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      FunctionUrlConfig:
        AuthType: NONE
      Events:
        Get:
          Type: Api
          Properties: {Path: /, Method: get}
        Http:
          Type: HttpApi
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Role: !GetAtt FnRole.Arn
      Definition:
        Api: !Sub 'https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod'
        Http: !GetAtt ServerlessHttpApi.ApiEndpoint
        Alias: !Ref Fn.Alias
        Url: !GetAtt FnUrl.FunctionArn
        Stages: [!Ref ServerlessRestApiProdStage, !Ref ServerlessHttpApiApiGatewayDefaultStage, !Ref MyApiv1Stage]
        AliasArn: !Ref FnAliaslive
  MyApi:
    Type: AWS::Serverless::Api
    DependsOn: MyApiDeploymentGenerated
    Properties:
      StageName: v1
";
    let resolved = ok(text);
    let globals = resolved.globals.as_ref().unwrap();
    let variables = globals
        .get("Function")
        .and_then(|f| f.get("Environment"))
        .and_then(|e| e.get("Variables"))
        .unwrap();
    assert_eq!(variables.get("REGION"), Some(&s("eu-west-1")));
    assert_eq!(variables.get("TABLE"), Some(&s("Items")));
    assert_eq!(
        prop(&resolved, "Machine", "Role"),
        &s("arn:aws:iam::123456789012:role/FnRole")
    );
    let definition = prop(&resolved, "Machine", "Definition");
    assert_eq!(
        definition.get("Api"),
        Some(&s(
            "https://serverlessrestapi.execute-api.eu-west-1.amazonaws.com/Prod"
        ))
    );
    assert_eq!(
        definition.get("Http"),
        Some(&s(
            "https://serverlesshttpapi.execute-api.eu-west-1.amazonaws.com"
        ))
    );
    assert_eq!(
        definition.get("Alias"),
        Some(&s("arn:aws:lambda:eu-west-1:123456789012:function:Fn:live"))
    );
    assert_eq!(
        definition.get("Url"),
        Some(&s("arn:aws:lambda:eu-west-1:123456789012:function:Fn"))
    );
    assert_eq!(
        definition.get("Stages"),
        Some(&strs(&["Prod", "$default", "v1"]))
    );
    assert_eq!(definition.get("AliasArn"), definition.get("Alias"));
    // Implicit resources are not returned.
    let ids: Vec<&str> = resolved
        .resources
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(ids, ["Items", "Fn", "Machine", "MyApi"]);

    // Without the SAM transform there are no implicit resources.
    let errors = problems(&text.replace("Transform: AWS::Serverless-2016-10-31\n", ""));
    assert_error(
        &errors,
        "Resources.Machine.Properties.Role",
        "no resource named `FnRole`",
    );
    assert_error(
        &errors,
        "Resources.MyApi.DependsOn",
        "no resource named `MyApiDeploymentGenerated`",
    );
}

#[test]
fn errors_name_their_location_and_all_are_reported() {
    let text = "
Resources:
  MyFn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          TABLE: !Ref MissingTable
          OTHER: !GetAtt Missing.Arn
      Layers:
        - !Sub '${Nope}'
  Second:
    Type: AWS::SNS::Topic
    Properties:
      V: {'Fn::Bogus': 1}
";
    let errors = problems(text);
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert_eq!(
        errors[0],
        TemplateError {
            location: "Resources.MyFn.Properties.Environment.Variables.TABLE".to_owned(),
            message: "Ref: `MissingTable` is not a parameter, a resource or a pseudo parameter of the template".to_owned(),
        }
    );
    assert_error(
        &errors,
        "Resources.MyFn.Properties.Environment.Variables.OTHER",
        "no resource named `Missing`",
    );
    assert_error(&errors, "Resources.MyFn.Properties.Layers[0]", "`Nope`");
    assert_error(&errors, "Resources.Second.Properties.V", "`Fn::Bogus`");
    assert_eq!(
        errors[0].to_string(),
        "Resources.MyFn.Properties.Environment.Variables.TABLE: Ref: `MissingTable` is not a parameter, a resource or a pseudo parameter of the template"
    );
}

#[test]
fn warnings_for_unknown_sections_macros_and_dynamic_references() {
    let resolved = ok(
        "Transform: [AWS::Serverless-2016-10-31, MyMacro]\nOddSection: 1\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      P: '{{resolve:ssm:/a/b}}'\n",
    );
    let locations: Vec<&str> = resolved.warnings.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        locations,
        ["OddSection", "Transform[1]", "Resources.T.Properties.P"]
    );
}

// ===== AWS::Include =====

#[test]
fn aws_include_reads_local_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("env.yaml"),
        "TABLE: !Ref Items\nREGION: !Sub '${AWS::Region}'\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("snippets")).unwrap();
    std::fs::write(
        dir.path().join("snippets/queue.json"),
        r#"{"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}-q"}}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("top.yaml"),
        "Mappings:\n  M:\n    K:\n      V: from-top\n",
    )
    .unwrap();
    let text = "
Transform:
  - AWS::Serverless-2016-10-31
  - Name: AWS::Include
    Parameters:
      Location: top.yaml
Resources:
  Items:
    Type: AWS::DynamoDB::Table
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          Fn::Transform:
            Name: AWS::Include
            Parameters:
              Location: env.yaml
      Tag: !FindInMap [M, K, V]
      Queue: !Ref Queue
  Fn::Transform:
    Name: AWS::Include
    Parameters:
      Location: !Sub 'snippets/${Kind}.json'
Parameters:
  Kind:
    Type: String
    Default: queue
";
    let given = Given {
        base_dir: dir.path(),
        ..base()
    };
    let resolved = ok_with(text, &given);
    let variables = prop(&resolved, "Fn", "Environment")
        .get("Variables")
        .unwrap();
    assert_eq!(variables.get("TABLE"), Some(&s("Items")));
    assert_eq!(variables.get("REGION"), Some(&s("eu-west-1")));
    assert_eq!(prop(&resolved, "Fn", "Tag"), &s("from-top"));
    assert_eq!(
        prop(&resolved, "Fn", "Queue"),
        &s("https://sqs.eu-west-1.amazonaws.com/123456789012/shop-q")
    );
    let ids: Vec<&str> = resolved
        .resources
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(ids, ["Items", "Fn", "Queue"]);
    assert_eq!(
        resolved.included,
        vec![
            dir.path().join("top.yaml"),
            dir.path().join("env.yaml"),
            dir.path().join("snippets/queue.json"),
        ]
    );
}

#[test]
fn aws_include_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.yaml"), "a: [1\n").unwrap();
    std::fs::write(
        dir.path().join("nested.yaml"),
        "Fn::Transform: {Name: AWS::Include, Parameters: {Location: broken.yaml}}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("list.yaml"), "[1, 2]\n").unwrap();
    let given = Given {
        base_dir: dir.path(),
        ..base()
    };
    let include = |location: &str| {
        format!(
            "{{'Fn::Transform': {{Name: AWS::Include, Parameters: {{Location: '{location}'}}}}}}"
        )
    };
    let at = "Resources.T.Properties.V.Fn::Transform.Parameters.Location";
    let errors = errors_with(&one(&include("s3://bucket/x.yaml")), &given);
    assert_error(&errors, at, "`s3://bucket/x.yaml` is not a local file");
    let errors = errors_with(&one(&include("missing.yaml")), &given);
    assert_error(&errors, at, "can't read");
    let errors = errors_with(&one(&include("broken.yaml")), &given);
    assert_error(&errors, at, "broken.yaml (line ");
    let errors = errors_with(&one(&include("nested.yaml")), &given);
    assert!(
        errors.iter().any(|e| e
            .message
            .contains("an included file can't use Fn::Transform")),
        "{errors:#?}"
    );
    let errors = errors_with(
        &one("{A: 1, 'Fn::Transform': {Name: AWS::Include, Parameters: {Location: list.yaml}}}"),
        &given,
    );
    assert_error(
        &errors,
        "Resources.T.Properties.V.Fn::Transform",
        "must be a mapping, not a list",
    );
    let errors = errors_with(
        &one("{'Fn::Transform': {Name: MyMacro, Parameters: {}}}"),
        &given,
    );
    assert_error(
        &errors,
        "Resources.T.Properties.V.Fn::Transform",
        "the macro `MyMacro` can't run locally",
    );
    // A whole-node include may be any value.
    let resolved = ok_with(&one(&include("list.yaml")), &given);
    assert_eq!(
        prop(&resolved, "T", "V"),
        &Node::Seq(vec![Node::Int(1), Node::Int(2)])
    );
}

// ===== robustness =====

const SAMPLE: &str = "
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Zones:
    Type: CommaDelimitedList
    Default: a,b
  Size:
    Type: Number
    Default: 3
    MinValue: 1
Mappings:
  Config:
    dev: {Memory: 128, Name: d}
    prod: {Memory: 512, Name: p}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Or [!Equals [a, a], !Condition IsProd]]
Globals:
  Function:
    Runtime: python3.12
    Environment:
      Variables:
        STAGE: !Ref Stage
Resources:
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub '${AWS::StackName}-${Stage}-items'
  Queue:
    Type: AWS::SQS::Queue
    Condition: IsDev
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      MemorySize: !FindInMap [Config, !Ref Stage, Memory]
      Environment:
        Variables:
          TABLE: !Ref Items
          ARN: !GetAtt Items.Arn
          QUEUE: !If [IsDev, !Ref Queue, !Ref AWS::NoValue]
          ZONE: !Select [1, !Ref Zones]
          JOINED: !Join [',', !GetAZs '']
          B64: !Base64 abc
          JSON: !ToJsonString {a: [1, 2]}
          LEN: !Length [1, 2]
          SPLIT: !Select [0, !Split ['-', a-b]]
      Events:
        Get:
          Type: Api
          Properties: {Path: /items, Method: get, RestApiId: !Ref Api}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      DefinitionBody:
        paths:
          /items:
            get:
              x-amazon-apigateway-integration:
                uri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations'
                other: ${!NotAVariable}
Outputs:
  Url:
    Value: !Sub 'https://${Api}.execute-api.${AWS::Region}.amazonaws.com/${Stage}'
";

#[test]
fn the_sample_resolves() {
    let resolved = ok(SAMPLE);
    let ids: Vec<&str> = resolved
        .resources
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(ids, ["Items", "Queue", "Fn", "Api"]);
    assert_eq!(prop(&resolved, "Fn", "MemorySize"), &Node::Int(128));
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn resolve_quietly(root: &Node) {
    let overrides = map(&[("Stage", "prod")]);
    let imports = BTreeMap::new();
    let inputs = Inputs {
        unused: None,
        overrides: &overrides,
        imports: &imports,
        region: "us-east-1",
        account_id: "123456789012",
        stack_name: "s",
        base_dir: Path::new("/nonexistent"),
    };
    let _ = resolve(root, &inputs);
}

#[test]
fn mutated_text_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let pieces = [
        "!Ref ",
        "!Sub ",
        "!If ",
        "[",
        "]",
        "{",
        "}",
        ":",
        "-",
        "${",
        "}",
        "!",
        ".",
        ",",
        "\n  ",
        "Fn::Transform",
        "AWS::NoValue",
        "!GetAtt ",
        "'",
        "\"",
        "#",
        "&a",
        "*a",
        "!Condition ",
    ];
    let bytes = SAMPLE.as_bytes();
    for _ in 0..1500 {
        let mut text = bytes.to_vec();
        for _ in 0..=rng.below(4) {
            let at = rng.below(text.len());
            match rng.below(3) {
                0 => {
                    text.remove(at);
                }
                1 => {
                    let piece = pieces[rng.below(pieces.len())];
                    text.splice(at..at, piece.bytes());
                }
                _ => {
                    let end = (at + rng.below(40)).min(text.len());
                    text.drain(at..end);
                }
            }
        }
        let text = String::from_utf8_lossy(&text);
        if let Ok(root) = yaml::parse(&text) {
            resolve_quietly(&root);
        }
    }
}

/// Every node of `node`, depth first, counted.
fn count(node: &Node) -> usize {
    1 + match node {
        Node::Seq(items) => items.iter().map(count).sum(),
        Node::Map(entries) => entries.iter().map(|(_, v)| count(v)).sum(),
        _ => 0,
    }
}

/// `node` with its `target`-th node (depth first) replaced by `with`.
fn replace(node: &Node, target: &mut usize, with: &Node) -> Node {
    if *target == 0 {
        *target = usize::MAX;
        return with.clone();
    }
    *target = target.wrapping_sub(1);
    match node {
        Node::Seq(items) => Node::Seq(items.iter().map(|i| replace(i, target, with)).collect()),
        Node::Map(entries) => Node::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), replace(v, target, with)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn mutated_trees_never_panic() {
    let root = yaml::parse(SAMPLE).unwrap();
    let call = |name: &str, arg: Node| Node::Map(vec![(name.to_owned(), arg)]);
    let odd = [
        Node::Null,
        Node::Int(-1),
        Node::Int(i128::MAX),
        Node::Float(1e300),
        Node::Bool(true),
        s(""),
        s("${"),
        s("${!"),
        s("${a.b.c}"),
        Node::Seq(vec![]),
        Node::Map(vec![]),
        call("Ref", Node::Null),
        call("Ref", s("Fn")),
        call("Ref", s("Fn.Alias")),
        call("Ref", s("Api.Stage")),
        call("Ref", s("AWS::NoValue")),
        call("Fn::If", strs(&["IsProd"])),
        call(
            "Fn::If",
            Node::Seq(vec![s("Both"), call("Ref", s("Queue")), Node::Null]),
        ),
        call(
            "Fn::Sub",
            Node::Seq(vec![
                s("${X}"),
                Node::Map(vec![("X".into(), call("Ref", s("Zones")))]),
            ]),
        ),
        call("Fn::GetAtt", strs(&["Fn", "Arn", "x"])),
        call("Fn::GetAtt", s("Items.StreamArn")),
        call(
            "Fn::Select",
            Node::Seq(vec![Node::Int(99), Node::Seq(vec![])]),
        ),
        call("Fn::Select", Node::Seq(vec![Node::Int(i128::MIN), s("a")])),
        call(
            "Fn::FindInMap",
            Node::Seq(vec![s("Config"), Node::Null, s("x"), s("y")]),
        ),
        call(
            "Fn::Join",
            Node::Seq(vec![Node::Null, call("Ref", s("Zones"))]),
        ),
        call("Fn::Split", Node::Seq(vec![s(""), s("")])),
        call("Fn::Equals", Node::Seq(vec![Node::Null])),
        call("Fn::Not", Node::Seq(vec![call("Condition", s("IsProd"))])),
        call(
            "Fn::And",
            Node::Seq(vec![call("Condition", s("Nope")), Node::Bool(false)]),
        ),
        call("Condition", s("IsProd")),
        call(
            "Fn::Transform",
            Node::Map(vec![
                ("Name".into(), s("AWS::Include")),
                (
                    "Parameters".into(),
                    Node::Map(vec![("Location".into(), s("../../etc/none"))]),
                ),
            ]),
        ),
        call("Fn::Transform", Node::Null),
        call("Fn::ToJsonString", call("Ref", s("Zones"))),
        call("Fn::Length", Node::Null),
        call("Fn::GetAZs", Node::Seq(vec![])),
        call("Fn::ImportValue", Node::Map(vec![])),
        call("Fn::Base64", Node::Seq(vec![])),
        call("Fn::ForEach::X", Node::Null),
    ];
    let total = count(&root);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for target in 0..total {
        for with in &odd {
            let mut t = target;
            let mutated = replace(&root, &mut t, with);
            resolve_quietly(&mutated);
        }
        // And a few double mutations.
        let mut t = rng.below(total);
        let once = replace(&root, &mut t, &odd[rng.below(odd.len())]);
        let mut t = target;
        let twice = replace(&once, &mut t, &odd[rng.below(odd.len())]);
        resolve_quietly(&twice);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    // Deeper than the resolver goes, built directly (parsers stop earlier).
    let mut node = s("x");
    for _ in 0..(MAX_DEPTH + 50) {
        node = Node::Map(vec![("Fn::Base64".to_owned(), node)]);
    }
    let root = Node::Map(vec![(
        "Resources".to_owned(),
        Node::Map(vec![(
            "T".to_owned(),
            Node::Map(vec![
                ("Type".to_owned(), s("AWS::SNS::Topic")),
                (
                    "Properties".to_owned(),
                    Node::Map(vec![("V".to_owned(), node)]),
                ),
            ]),
        )]),
    )]);
    let overrides = BTreeMap::new();
    let inputs = Inputs {
        unused: None,
        overrides: &overrides,
        imports: &overrides,
        region: "us-east-1",
        account_id: "1",
        stack_name: "s",
        base_dir: Path::new("."),
    };
    let errors = resolve(&root, &inputs).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("nested too deeply")),
        "{errors:#?}"
    );

    // A long chain of conditions.
    let mut conditions = Vec::new();
    for i in 0..1000 {
        let next = if i == 999 {
            Node::Map(vec![("Fn::Equals".to_owned(), strs(&["a", "a"]))])
        } else {
            Node::Map(vec![("Condition".to_owned(), s(&format!("C{}", i + 1)))])
        };
        conditions.push((format!("C{i}"), next));
    }
    let root = Node::Map(vec![
        ("Conditions".to_owned(), Node::Map(conditions)),
        ("Resources".to_owned(), Node::Map(vec![])),
    ]);
    let errors = resolve(&root, &inputs).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("nested too deeply")),
        "{errors:#?}"
    );
}
