//! The compiled gateway: what the configuration becomes at load, ready for
//! requests. Every API's routes as plans, its stages, gateway responses and
//! functions, and the selection of API and stage by host and path. Built once
//! per (re)load and swapped whole.
//!
//! Nothing here imports request-time code: these types are data the phases read.

mod authorizers;
mod caching;
mod cors;
mod functions;
mod gateway_responses;
mod iam;
mod integration;
mod lambda_authorizer;
mod limits;
mod plan;
mod responses;
mod select;
mod service;
mod template;
mod uri;

pub(crate) use authorizers::{AuthorizerPlan, JwtPlan};
use caching::SharedStores;
pub(crate) use caching::{RouteCaching, StageCache, StageStore};
pub(crate) use cors::CorsPolicy;
pub use functions::Functions;
pub(crate) use gateway_responses::{
    CustomResponse, GatewayResponses, HeaderSource as ErrorHeaderSource,
};
pub(crate) use iam::IamPlan;
pub(crate) use integration::{
    BodyChoice, HttpPlan, IntegrationPlan, LambdaPlan, MockPlan, RequestBody,
};
pub(crate) use lambda_authorizer::LambdaAuthorizerPlan;
pub(crate) use limits::{Limits, PlanBinding, PlanSummary, StageLimits};
pub(crate) use plan::{AuthorizePlan, RoutePlan};
use portcullis_lambda::remote::signer::AwsCredentials;
pub(crate) use responses::{HeaderSource, MethodResponse};
pub(crate) use select::Selection;
pub(crate) use service::{
    Action as ServiceAction, AwsSigning, Placement, Protocol as ServiceProtocol, ServicePlan,
    Signer, Target as ServiceTarget,
};
pub(crate) use template::MappingTemplate;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use portcullis_mapping::validate::Models;
use portcullis_router::{HttpRouter, Match, RestRouter};

use crate::config::{Api, ApiType, ConfigError, DEFAULT_NAME, GatewayConfig, Problem};
use crate::observe::access_log::StageLog;

/// Every API, compiled.
#[derive(Debug)]
pub struct Gateway {
    apis: Vec<CompiledApi>,
    by_id: HashMap<String, usize>,
    domains: Vec<CompiledDomain>,
    functions: Functions,
    verifiers: authorizers::Verifiers,
    /// Throttles, quotas and API keys.
    pub(crate) limits: Limits,
    /// The Redis stores stage caches share.
    cache_stores: SharedStores,
    /// The gateway's own AWS credentials (AWS service integrations sign
    /// with them), kept across reloads with their cache.
    aws_credentials: Arc<AwsCredentials>,
    /// The region they resolve in.
    aws_region: String,
    /// The roles AWS service integrations assume, kept across reloads.
    roles: Arc<service::Roles>,
    /// When the first config was compiled (nanoseconds since the epoch):
    /// quotas' first periods, whose offsets apply, start then.
    started: u64,
}

/// One API, compiled.
#[derive(Debug)]
pub(crate) struct CompiledApi {
    /// API id.
    pub(crate) id: String,
    /// REST or HTTP API.
    pub(crate) api_type: ApiType,
    /// Stages.
    pub(crate) stages: Vec<CompiledStage>,
    default_stage: Option<usize>,
    router: ApiRouter,
    /// Customised gateway responses.
    pub(crate) gateway_responses: GatewayResponses,
    /// `x-amazon-apigateway-binary-media-types`, `~1` unescaped to `/`.
    pub(crate) binary_media_types: Vec<String>,
    /// The headers API Gateway adds to non-proxy HTTP integration requests
    /// (`User-Agent: AmazonAPIGateway_{id}`, `x-amzn-apigateway-api-id`),
    /// made once.
    pub(crate) integration_headers: IntegrationHeaders,
    /// Where its API keys are read from.
    pub(crate) api_key_source: crate::config::ApiKeySource,
    /// `minimumCompressionSize`: responses of at least this many bytes are
    /// compressed for clients that ask; `None`: never (HTTP APIs, REST APIs without it).
    pub(crate) minimum_compression_size: Option<u32>,
    /// `x-amazon-apigateway-policy`, when the API has one.
    pub(crate) resource_policy: Option<portcullis_auth::policy::PolicyDocument>,
    /// `arn:aws:execute-api:{region}:{account}:{apiId}`: the prefix of its method ARNs.
    pub(crate) arn: String,
    /// The account that owns the API (policies treat callers from other accounts apart).
    pub(crate) account_id: String,
    /// Its CORS configuration (HTTP APIs with `x-amazon-apigateway-cors`).
    pub(crate) cors: Option<Box<CorsPolicy>>,
    /// Its metrics for requests no stage of it serves.
    pub(crate) metrics: crate::observe::metrics::SeriesSlot,
}

/// Header values naming an API to its HTTP backends.
#[derive(Debug, Clone)]
pub(crate) struct IntegrationHeaders {
    /// `AmazonAPIGateway_{apiId}`.
    pub(crate) user_agent: http::HeaderValue,
    /// `{apiId}`.
    pub(crate) api_id: http::HeaderValue,
}

impl IntegrationHeaders {
    fn new(id: &str) -> Self {
        // Ids are `[A-Za-z0-9_-]+` (checked at load), always valid header values.
        let value = |text: String| {
            http::HeaderValue::try_from(text)
                .unwrap_or_else(|_| http::HeaderValue::from_static("api"))
        };
        Self {
            user_agent: value(format!("AmazonAPIGateway_{id}")),
            api_id: value(id.to_owned()),
        }
    }
}

/// A stage of an API.
#[derive(Debug)]
pub(crate) struct CompiledStage {
    /// Stage name (`$default` for the root stage).
    pub(crate) name: String,
    /// Stage variables.
    pub(crate) variables: BTreeMap<String, String>,
    /// Its throttles and the usage plans covering it.
    pub(crate) limits: StageLimits,
    /// Its access log, when logging is on.
    pub(crate) access_log: Option<crate::observe::access_log::StageLog>,
    /// Its metrics, per route (by route index) and for unrouted requests.
    pub(crate) metrics: crate::observe::metrics::StageSlots,
    /// Its response cache, when the stage caches.
    pub(crate) cache: Option<StageCache>,
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

    /// Compiles `config` as if first loaded at `now`: usage plan quotas'
    /// first periods (those their `offset` applies to) hold `now`. For tests
    /// on an injected clock.
    ///
    /// # Errors
    /// As [`Gateway::compile`].
    pub fn compile_at(
        config: &GatewayConfig,
        now: std::time::SystemTime,
    ) -> Result<Self, ConfigError> {
        Self::compile_inner(config, None, crate::clock::epoch_nanos(now))
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
        let started = previous.map_or_else(now_nanos, |g| g.started);
        Self::compile_inner(config, previous, started)
    }

    fn compile_inner(
        config: &GatewayConfig,
        previous: Option<&Gateway>,
        started: u64,
    ) -> Result<Self, ConfigError> {
        let functions = Functions::prepare(&config.functions, previous.map(|g| &g.functions))
            .map_err(ConfigError::from_problems)?;
        let verifiers = authorizers::Verifiers::new(previous.map(|g| &g.verifiers));
        let iam = Arc::new(AuthorizerPlan::Iam(Arc::new(IamPlan::compile(
            &config.iam,
            &config.aws.region,
        ))));
        let limits = Limits::compile(config, started);
        let config_file = config.files.first().cloned().unwrap_or_default();
        let cache_stores = SharedStores::compile(config, previous.map(|g| &g.cache_stores))
            .map_err(|message| {
                ConfigError::from_problems(vec![Problem::new(&config_file, "caching", message)])
            })?;
        let aws_credentials = match previous {
            Some(previous) if previous.aws_region == config.aws.region => {
                previous.aws_credentials.clone()
            }
            _ => Arc::new(AwsCredentials::new(
                &portcullis_lambda::remote::CredentialSource::Default,
                &config.aws.region,
            )),
        };
        let roles = previous
            .and_then(|previous| previous.roles.kept_for(&config.aws))
            .unwrap_or_else(|| Arc::new(service::Roles::new(&config.aws)));
        let mut problems = Vec::new();
        let mut apis = Vec::with_capacity(config.apis.len());
        for api in &config.apis {
            let authorizers =
                match verifiers.compile(api, &config.jwt, &config.upstream, &functions) {
                    Ok(authorizers) => authorizers,
                    Err(mut errors) => {
                        problems.append(&mut errors);
                        continue;
                    }
                };
            let context = ApiContext {
                previous,
                cache_stores: &cache_stores,
                aws_credentials: &aws_credentials,
                roles: &roles,
                functions: &functions,
                authorizers: &authorizers,
                iam: &iam,
                config,
                keys: &limits.keys,
                started,
            };
            match compile_api(api, &context) {
                Ok(compiled) => apis.push(compiled),
                Err(mut errors) => problems.append(&mut errors),
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError::from_problems(problems));
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
            verifiers,
            limits,
            cache_stores,
            aws_credentials,
            aws_region: config.aws.region.clone(),
            roles,
            started,
        })
    }

    /// A stage's cache: `None` when there is no such stage, `Some(None)`
    /// when it does not cache.
    pub(crate) fn stage_cache(&self, api: &str, stage: &str) -> Option<Option<&StageCache>> {
        let api = &self.apis[*self.by_id.get(api)?];
        let stage = api.stages.iter().find(|s| s.name == stage)?;
        Some(stage.cache.as_ref())
    }

    /// The functions Lambda integrations call.
    pub fn functions(&self) -> &Functions {
        &self.functions
    }

    /// How many APIs it serves.
    pub fn api_count(&self) -> usize {
        self.apis.len()
    }
}

#[cfg(test)]
impl Gateway {
    /// The compiled APIs, for tests that build request states by hand.
    pub(crate) fn apis(&self) -> &[CompiledApi] {
        &self.apis
    }
}

impl CompiledApi {
    /// Routes `method` and `path` (stage already removed).
    pub(crate) fn route<'r, 'p>(
        &'r self,
        method: &str,
        path: &'p str,
    ) -> Option<Match<'r, 'p, Arc<RoutePlan>>> {
        match &self.router {
            ApiRouter::Rest(router) => router.at(method, path),
            ApiRouter::Http(router) => router.at(method, path),
        }
    }
}

/// What compiling one API needs besides the API.
struct ApiContext<'a> {
    /// The gateway this one replaces: stage caches keep their entries.
    previous: Option<&'a Gateway>,
    /// The Redis stores stage caches share.
    cache_stores: &'a SharedStores,
    /// The gateway's own AWS credentials, for AWS service integrations.
    aws_credentials: &'a Arc<AwsCredentials>,
    /// The roles they assume.
    roles: &'a service::Roles,
    functions: &'a Functions,
    authorizers: &'a authorizers::AuthorizerPlans,
    iam: &'a Arc<AuthorizerPlan>,
    config: &'a GatewayConfig,
    keys: &'a limits::ApiKeys,
    started: u64,
}

/// Nanoseconds since the Unix epoch, now.
fn now_nanos() -> u64 {
    crate::clock::epoch_nanos(std::time::SystemTime::now())
}

fn compile_api(api: &Api, context: &ApiContext<'_>) -> Result<CompiledApi, Vec<Problem>> {
    let ApiContext {
        functions,
        authorizers,
        iam,
        config,
        ..
    } = *context;
    let aws = &config.aws;
    let mut problems = Vec::new();
    let problem = |location: &str, message: String| Problem::new(&api.source, location, message);
    let resource_policy = api.resource_policy.as_ref().and_then(|json| {
        let options =
            crate::config::resource_policy::options(&api.id, &aws.region, &aws.account_id)?;
        match portcullis_auth::policy::PolicyDocument::from_json_with(json, &options) {
            Ok(document) => Some(document),
            Err(error) => {
                problems.push(problem("x-amazon-apigateway-policy", error.to_string()));
                None
            }
        }
    });
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
    let mut route_keys = vec![None; api.routes.len()];
    for (index, route) in api.routes.iter().enumerate() {
        let plan = match plan::compile(
            index,
            route,
            api.api_type,
            &models,
            &plan::Callables {
                functions,
                authorizers,
                iam,
                services: service::Services {
                    aws: &config.aws,
                    credentials: context.aws_credentials,
                    roles: context.roles,
                    iam_route: false,
                },
            },
        ) {
            Ok(plan) => {
                route_keys[index] = Some(plan.route_key.clone());
                Arc::new(plan)
            }
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
    let mut stages: Vec<CompiledStage> = Vec::with_capacity(api.stages.len());
    for s in &api.stages {
        let access_log = match &s.access_log {
            None => None,
            Some(settings) => match StageLog::compile(settings, api.api_type) {
                Ok(log) => Some(log),
                Err(message) => {
                    problems.push(problem(&format!("stage {}: access_log", s.name), message));
                    continue;
                }
            },
        };
        let cache = match &s.cache {
            None => None,
            Some(settings) => {
                let previous = context
                    .previous
                    .and_then(|g| g.by_id.get(&api.id).map(|&i| &g.apis[i]))
                    .and_then(|a| a.stages.iter().find(|p| p.name == s.name))
                    .and_then(|p| p.cache.as_ref());
                let compiled = StageCache::compile(
                    api,
                    s,
                    settings,
                    &config.caching,
                    context.cache_stores,
                    previous,
                );
                match compiled {
                    Ok(cache) => Some(cache),
                    Err(message) => {
                        problems.push(problem(&format!("stage {}: cache", s.name), message));
                        continue;
                    }
                }
            }
        };
        stages.push(CompiledStage {
            cache,
            access_log,
            name: s.name.clone(),
            variables: s.variables.clone(),
            limits: limits::compile_stage(
                api,
                s,
                &route_keys,
                config,
                context.keys,
                context.started,
            ),
            metrics: crate::observe::metrics::StageSlots::new(api.routes.len()),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
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
        binary_media_types: unescape_media_types(&api.binary_media_types),
        integration_headers: IntegrationHeaders::new(&api.id),
        api_key_source: api.api_key_source,
        minimum_compression_size: api
            .minimum_compression_size
            .filter(|_| api.api_type == ApiType::Rest),
        resource_policy,
        arn: format!(
            "arn:aws:execute-api:{}:{}:{}",
            aws.region, aws.account_id, api.id
        ),
        account_id: aws.account_id.clone(),
        cors: api
            .cors
            .as_ref()
            .filter(|_| api.api_type == ApiType::Http)
            .map(|cors| Box::new(CorsPolicy::compile(cors))),
        metrics: Default::default(),
    })
}

/// Binary media types as requests are matched against them: exports may escape
/// the slash as `~1` (`application~1octet-stream`). Done once, at compile.
fn unescape_media_types(raw: &[String]) -> Vec<String> {
    raw.iter().map(|t| t.replace("~1", "/")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn media_types_are_unescaped_once() {
        let raw = [
            "application~1octet-stream".to_owned(),
            "image/png".to_owned(),
        ];
        assert_eq!(
            super::unescape_media_types(&raw),
            ["application/octet-stream", "image/png"]
        );
    }
}
