//! Usage plans and API keys from a template: SAM's `Auth.UsagePlan`
//! (`PER_API`, `SHARED`) and CloudFormation's `AWS::ApiGateway::UsagePlan`,
//! `ApiKey` and `UsagePlanKey`. Keys with a `Value` work as written; keys
//! AWS would generate have no value to send locally, so `--api-key VALUE`
//! gives every template plan a key instead (see `docs/sam.md`).

use std::collections::BTreeMap;
use std::path::Path;

use portcullis_ratelimit::{Period, Throttle};

use crate::config::model::{ApiKey, PlanStage, QuotaSettings, ThrottleSettings, UsagePlan};
use crate::config::openapi::tree::Node;
use crate::config::problems::{Problems, child, item};

use super::{note_unused, number, text};

/// The plans and keys a template defines.
#[derive(Debug, Default)]
pub(crate) struct Plans {
    pub(crate) plans: Vec<UsagePlan>,
    pub(crate) keys: Vec<ApiKey>,
}

/// SAM's shared plan's logical id.
const SHARED_PLAN: &str = "ServerlessUsagePlan";

/// Adds an API's `Auth.UsagePlan` (at `at`) for its `stage` (the API's id
/// is its logical id in lower case).
pub(super) fn sam_plan(
    out: &mut Plans,
    logical_id: &str,
    stage: &str,
    plan: &Node,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) {
    note_unused(
        file,
        at,
        plan,
        &[
            "CreateUsagePlan",
            "Throttle",
            "Quota",
            "Description",
            "UsagePlanName",
            "Tags",
        ],
        problems,
    );
    let id = match text(plan.get("CreateUsagePlan")) {
        Some("PER_API") => format!("{logical_id}UsagePlan"),
        Some("SHARED") => SHARED_PLAN.to_owned(),
        Some("NONE") => return,
        other => {
            problems.at(
                file,
                child(at, "CreateUsagePlan"),
                format!("{other:?} is not PER_API, SHARED or NONE"),
            );
            return;
        }
    };
    let stage = PlanStage {
        api_id: logical_id.to_ascii_lowercase(),
        stage: stage.to_owned(),
        method_throttles: BTreeMap::new(),
    };
    if let Some(existing) = out.plans.iter_mut().find(|p| p.id == id) {
        existing.api_stages.push(stage);
        return;
    }
    out.plans.push(UsagePlan {
        id,
        throttle: plan
            .get("Throttle")
            .and_then(|t| throttle(t, &child(at, "Throttle"), file, problems)),
        quota: plan
            .get("Quota")
            .and_then(|q| quota(q, &child(at, "Quota"), file, problems)),
        api_stages: vec![stage],
        keys: Vec::new(),
    });
}

/// Adds CloudFormation's plans, keys and plan keys among `resources`.
pub(super) fn cloudformation(
    out: &mut Plans,
    resources: &[(String, Node)],
    file: &Path,
    problems: &mut Problems,
) {
    let empty = Node::Map(Vec::new());
    let of_type = |wanted: &'static str| {
        resources
            .iter()
            .filter(move |(_, r)| text(r.get("Type")) == Some(wanted))
    };
    for (logical_id, resource) in of_type("AWS::ApiGateway::ApiKey") {
        let at = format!("Resources.{logical_id}.Properties");
        let properties = resource.get("Properties").unwrap_or(&empty);
        note_unused(
            file,
            &at,
            properties,
            &[
                "Value",
                "Enabled",
                "Name",
                "Description",
                "StageKeys",
                "Tags",
                "GenerateDistinctId",
                "CustomerId",
            ],
            problems,
        );
        match text(properties.get("Value")) {
            Some(value) => out.keys.push(ApiKey {
                id: logical_id.clone(),
                value: value.to_owned(),
                // CloudFormation creates keys disabled unless told otherwise.
                enabled: matches!(properties.get("Enabled"), Some(Node::Bool(true))),
            }),
            None => problems.warn(
                file,
                &at,
                format!("API key {logical_id} has no Value (AWS would generate one): it cannot be sent locally; give it a Value, or use --api-key VALUE"),
            ),
        }
    }
    for (logical_id, resource) in of_type("AWS::ApiGateway::UsagePlan") {
        let at = format!("Resources.{logical_id}.Properties");
        let properties = resource.get("Properties").unwrap_or(&empty);
        note_unused(
            file,
            &at,
            properties,
            &[
                "ApiStages",
                "Throttle",
                "Quota",
                "UsagePlanName",
                "Description",
                "Tags",
            ],
            problems,
        );
        let stages_at = child(&at, "ApiStages");
        let api_stages = properties
            .get("ApiStages")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter_map(|(i, stage)| {
                let (Some(api), Some(name)) = (text(stage.get("ApiId")), text(stage.get("Stage"))) else {
                    problems.at(file, item(&stages_at, i), "an API stage names its ApiId and Stage");
                    return None;
                };
                if stage.get("Throttle").is_some() {
                    problems.warn(
                        file,
                        child(&item(&stages_at, i), "Throttle"),
                        "per-method throttles of a template's usage plan are not applied yet: the plan's own throttle is",
                    );
                }
                Some(PlanStage {
                    api_id: api.to_ascii_lowercase(),
                    stage: name.to_owned(),
                    method_throttles: BTreeMap::new(),
                })
            })
            .collect();
        out.plans.push(UsagePlan {
            id: logical_id.clone(),
            throttle: properties
                .get("Throttle")
                .and_then(|t| throttle(t, &child(&at, "Throttle"), file, problems)),
            quota: properties
                .get("Quota")
                .and_then(|q| quota(q, &child(&at, "Quota"), file, problems)),
            api_stages,
            keys: Vec::new(),
        });
    }
    for (logical_id, resource) in of_type("AWS::ApiGateway::UsagePlanKey") {
        let at = format!("Resources.{logical_id}.Properties");
        let properties = resource.get("Properties").unwrap_or(&empty);
        let (Some(key), Some(plan)) = (
            text(properties.get("KeyId")),
            text(properties.get("UsagePlanId")),
        ) else {
            problems.at(
                file,
                &at,
                "a usage plan key names its KeyId and UsagePlanId",
            );
            continue;
        };
        match out.plans.iter_mut().find(|p| p.id == plan) {
            Some(found) if out.keys.iter().any(|k| k.id == key) => found.keys.push(key.to_owned()),
            Some(_) => {} // a key without a value: warned about above
            None => problems.at(
                file,
                child(&at, "UsagePlanId"),
                format!("`{plan}` is no AWS::ApiGateway::UsagePlan of this template"),
            ),
        }
    }
}

/// `--api-key VALUE`: a key (id `cli`) in every plan of the template.
pub(crate) fn add_flag_key(plans: &mut Plans, value: &str) {
    plans.keys.push(ApiKey {
        id: crate::config::limits::FLAG_KEY_ID.to_owned(),
        value: value.to_owned(),
        enabled: true,
    });
    for plan in &mut plans.plans {
        plan.keys
            .push(crate::config::limits::FLAG_KEY_ID.to_owned());
    }
}

fn throttle(
    node: &Node,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) -> Option<ThrottleSettings> {
    let rate = match node.get("RateLimit") {
        Some(Node::Int(i)) => Some(*i as f64),
        Some(Node::Float(x)) => Some(*x),
        Some(Node::Str(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let burst = number(node.get("BurstLimit")).and_then(|b| u64::try_from(b).ok());
    let (Some(rate), Some(burst)) = (rate, burst) else {
        problems.at(
            file,
            at,
            "a throttle needs a RateLimit and a BurstLimit (numbers)",
        );
        return None;
    };
    match Throttle::new(rate, burst) {
        Ok(_) => Some(ThrottleSettings {
            rate_limit: rate,
            burst_limit: burst,
            per: None,
        }),
        Err(error) => {
            problems.at(file, at, error.to_string());
            None
        }
    }
}

fn quota(node: &Node, at: &str, file: &Path, problems: &mut Problems) -> Option<QuotaSettings> {
    let limit = number(node.get("Limit")).and_then(|l| u64::try_from(l).ok());
    let period = text(node.get("Period")).map(str::parse::<Period>);
    let offset = number(node.get("Offset"))
        .and_then(|o| u64::try_from(o).ok())
        .unwrap_or(0);
    match (limit, period) {
        (Some(limit), Some(Ok(period))) if offset < limit || offset == 0 => Some(QuotaSettings {
            limit,
            period,
            offset,
        }),
        (_, Some(Err(message))) => {
            problems.at(file, child(at, "Period"), message);
            None
        }
        _ => {
            problems.at(file, at, "a quota needs a Limit, a Period (DAY, WEEK or MONTH) and an Offset below the Limit");
            None
        }
    }
}
