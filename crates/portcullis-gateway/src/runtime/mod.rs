//! The compiled gateway: every API's routes as ready-to-run plans, and the
//! selection of API and stage by host and path. Built once per (re)load and
//! swapped whole.

mod functions;
mod plan;
mod responses;
mod select;
mod uri;

pub use functions::Functions;
pub use plan::{
    BodyChoice, HttpPlan, IntegrationPlan, LambdaPlan, MockPlan, RequestBody, RoutePlan,
};
pub use responses::{HeaderSource, MethodResponse, ResponseSelector};
pub use select::Selection;
pub use uri::UriTemplate;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use portcullis_mapping::validate::Models;
use portcullis_router::{HttpRouter, Match, RestRouter};

use crate::config::{Api, ApiType, ConfigError, DEFAULT_NAME, GatewayConfig, Problem};
use crate::respond::GatewayResponses;

/// Every API, compiled.
#[derive(Debug)]
pub struct Gateway {
    apis: Vec<CompiledApi>,
    by_id: HashMap<String, usize>,
    domains: Vec<CompiledDomain>,
    functions: Functions,
}

/// One API, compiled.
#[derive(Debug)]
pub struct CompiledApi {
    /// API id.
    pub id: String,
    /// REST or HTTP API.
    pub api_type: ApiType,
    /// Stages.
    pub stages: Vec<CompiledStage>,
    default_stage: Option<usize>,
    router: ApiRouter,
    /// Customised gateway responses.
    pub gateway_responses: GatewayResponses,
    /// `x-amazon-apigateway-binary-media-types`.
    pub binary_media_types: Vec<String>,
}

/// A stage of an API.
#[derive(Debug)]
pub struct CompiledStage {
    /// Stage name (`$default` for the root stage).
    pub name: String,
    /// Stage variables.
    pub variables: BTreeMap<String, String>,
}

#[derive(Debug)]
enum ApiRouter {
    Rest(RestRouter<Arc<RoutePlan>>),
    Http(HttpRouter<Arc<RoutePlan>>),
}

#[derive(Debug)]
struct CompiledDomain {
    name: String,
    /// (base path, api index, stage index), longest base path first.
    mappings: Vec<(String, usize, usize)>,
}

impl Gateway {
    /// Compiles `config`.
    ///
    /// # Errors
    /// Every route or setting that cannot be served, each naming its file and location.
    pub fn compile(config: &GatewayConfig) -> Result<Self, ConfigError> {
        Self::compile_reusing(config, None)
    }

    /// Compiles `config` for a reload: functions whose settings did not change
    /// keep the warm processes they have in `previous`.
    ///
    /// # Errors
    /// As [`Gateway::compile`].
    pub fn compile_reusing(
        config: &GatewayConfig,
        previous: Option<&Gateway>,
    ) -> Result<Self, ConfigError> {
        let functions = Functions::prepare(&config.functions, previous.map(|g| &g.functions))
            .map_err(|problems| ConfigError { problems })?;
        let mut problems = Vec::new();
        let mut apis = Vec::with_capacity(config.apis.len());
        for api in &config.apis {
            match compile_api(api, &functions) {
                Ok(compiled) => apis.push(compiled),
                Err(mut errors) => problems.append(&mut errors),
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        let by_id: HashMap<String, usize> = apis
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        let mut domains = Vec::new();
        for domain in &config.domains {
            let mut mappings = Vec::new();
            for mapping in &domain.mappings {
                let Some(&api_index) = by_id.get(&mapping.api_id) else {
                    continue;
                };
                let Some(stage_index) = apis[api_index]
                    .stages
                    .iter()
                    .position(|s| s.name == mapping.stage)
                else {
                    continue;
                };
                mappings.push((
                    mapping.base_path.trim_matches('/').to_owned(),
                    api_index,
                    stage_index,
                ));
            }
            mappings.sort_by_key(|m| std::cmp::Reverse(m.0.len()));
            domains.push(CompiledDomain {
                name: domain.name.to_ascii_lowercase(),
                mappings,
            });
        }
        Ok(Self {
            apis,
            by_id,
            domains,
            functions,
        })
    }

    /// The compiled APIs.
    pub fn apis(&self) -> &[CompiledApi] {
        &self.apis
    }

    /// The functions Lambda integrations call.
    pub fn functions(&self) -> &Functions {
        &self.functions
    }
}

impl CompiledApi {
    /// Routes `method` and `path` (stage already removed).
    pub fn route<'r, 'p>(
        &'r self,
        method: &str,
        path: &'p str,
    ) -> Option<Match<'r, 'p, Arc<RoutePlan>>> {
        match &self.router {
            ApiRouter::Rest(router) => router.at(method, path),
            ApiRouter::Http(router) => router.at(method, path),
        }
    }

    /// Every route plan, for the route table.
    pub fn plans(&self) -> Vec<&RoutePlan> {
        match &self.router {
            ApiRouter::Rest(router) => router.iter().map(|(_, _, plan)| plan.as_ref()).collect(),
            ApiRouter::Http(router) => router.iter().map(|(_, plan)| plan.as_ref()).collect(),
        }
    }
}

fn compile_api(api: &Api, functions: &Functions) -> Result<CompiledApi, Vec<Problem>> {
    let mut problems = Vec::new();
    let problem = |location: &str, message: String| Problem::new(&api.source, location, message);
    let gateway_responses = GatewayResponses::compile(&api.gateway_responses).unwrap_or_else(|e| {
        problems.push(problem("x-amazon-apigateway-gateway-responses", e));
        GatewayResponses::default()
    });
    let models: indexmap::IndexMap<String, serde_json::Value> = api
        .models
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let models = Models::compile(&models).unwrap_or_else(|e| {
        problems.push(problem("models", e.to_string()));
        Models::compile(&indexmap::IndexMap::new()).expect("no models compile")
    });
    let mut rest = RestRouter::new();
    let mut http = HttpRouter::new();
    for route in &api.routes {
        let plan = match plan::compile_route(route, api.api_type, &models, functions) {
            Ok(plan) => Arc::new(plan),
            Err(errors) => {
                problems.extend(errors.into_iter().map(|e| problem(&route.location, e)));
                continue;
            }
        };
        if let IntegrationPlan::Http(http_plan) = &plan.integration {
            for stage in &api.stages {
                for name in http_plan.uri.stage_variables() {
                    if !stage.variables.contains_key(name) {
                        problems.push(problem(
                            &format!("{}.x-amazon-apigateway-integration.uri", route.location),
                            format!(
                                "uses ${{stageVariables.{name}}} but stage {:?} does not define it",
                                stage.name
                            ),
                        ));
                    }
                }
            }
        }
        let inserted = match api.api_type {
            ApiType::Rest => rest.insert(route.method, &route.path, plan),
            ApiType::Http => http.insert(&plan.route_key.clone(), plan),
        };
        if let Err(e) = inserted {
            problems.push(problem(&route.location, e.to_string()));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let stages: Vec<CompiledStage> = api
        .stages
        .iter()
        .map(|s| CompiledStage {
            name: s.name.clone(),
            variables: s.variables.clone(),
        })
        .collect();
    Ok(CompiledApi {
        id: api.id.clone(),
        api_type: api.api_type,
        default_stage: stages.iter().position(|s| s.name == DEFAULT_NAME),
        stages,
        router: match api.api_type {
            ApiType::Rest => ApiRouter::Rest(rest),
            ApiType::Http => ApiRouter::Http(http),
        },
        gateway_responses,
        binary_media_types: crate::integration::binary_media_types(&api.binary_media_types),
    })
}
