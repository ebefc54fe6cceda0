//! Per-route plans: each route's configuration compiled once, at load, into
//! what its phases need. A phase the route does not use is `None` here and
//! costs the request nothing.

use portcullis_mapping::validate::{
    self, MethodValidation, Models, RequiredParameter, ValidationConfigError, Validator,
};

use std::sync::Arc;

use super::authorizers::AuthorizerPlan;
use super::integration::{IntegrationPlan, compile_integration};
use crate::config::{ApiType, Authorization, ParameterLocation, Route};

/// Everything the pipeline needs to serve one route, ready to run.
#[derive(Debug)]
pub(crate) struct RoutePlan {
    /// Its position among the API's routes: stages and usage plans keep
    /// per-method limits in tables indexed by it.
    pub(crate) index: usize,
    /// Whether callers must present an API key (`apiKeyRequired`).
    pub(crate) api_key_required: bool,
    /// Resource path (`/pets/{id}`) or `$default`: `$context.resourcePath`.
    pub(crate) resource: String,
    /// `GET /pets/{id}`: `$context.routeKey` and log label.
    pub(crate) route_key: String,
    /// Whether the method has authorization enabled: AWS then limits the method ARN to 1,600 bytes.
    pub(crate) authorization_enabled: bool,
    /// The authorize phase: the route's authorizer and scopes, when it has one.
    pub(crate) authorize: Option<AuthorizePlan>,
    /// The validate phase: request validation, when the route's validator checks something.
    pub(crate) validation: Option<MethodValidation>,
    /// The map, integrate and map-back phases: how the route reaches its backend.
    pub(crate) integration: IntegrationPlan,
    /// What chooses its cached responses, when a stage caches it.
    pub(crate) cache_key: CacheKeyPlan,
}

/// A route's cache key beyond its stage: the namespace (`cacheNamespace`,
/// else the resource path) and the `cacheKeyParameters`.
#[derive(Debug)]
pub(crate) struct CacheKeyPlan {
    /// Methods with the same namespace share entries.
    pub(crate) namespace: String,
    /// Request values in the key.
    pub(crate) parameters: Vec<crate::config::CacheKeyParameter>,
}

/// A route's authorization: its authorizer and the scopes it requires.
#[derive(Debug)]
pub(crate) struct AuthorizePlan {
    /// The authorizer, shared by the routes naming it.
    pub(crate) authorizer: Arc<AuthorizerPlan>,
    /// The operation's scopes (`authorizationScopes`); empty when none.
    pub(crate) scopes: Vec<String>,
}

/// What a route's plan is compiled against: the API's callable parts.
pub(super) struct Callables<'a> {
    /// The functions Lambda integrations call.
    pub(super) functions: &'a super::Functions,
    /// The API's authorizers, by name.
    pub(super) authorizers: &'a super::authorizers::AuthorizerPlans,
    /// The IAM authorizer every `AWS_IAM` route shares.
    pub(super) iam: &'a Arc<AuthorizerPlan>,
    /// What AWS service integrations call with.
    pub(super) services: super::service::Services<'a>,
}

/// Compiles one route.
///
/// # Errors
/// Messages (relative to the route's location) for what cannot be served.
pub(super) fn compile(
    index: usize,
    route: &Route,
    api_type: ApiType,
    models: &Models,
    callables: &Callables<'_>,
) -> Result<RoutePlan, Vec<String>> {
    let Callables {
        functions,
        authorizers,
        iam,
        services,
    } = *callables;
    let mut problems = Vec::new();
    let mut authorize = None;
    match &route.authorization {
        Authorization::None => {}
        Authorization::Authorizer { name, .. } if authorizers.contains_key(name) => {
            authorize = Some(AuthorizePlan {
                authorizer: authorizers[name].clone(),
                scopes: route.authorization_scopes.clone(),
            });
        }
        Authorization::Iam => {
            authorize = Some(AuthorizePlan {
                authorizer: iam.clone(),
                scopes: Vec::new(),
            });
        }
        Authorization::Authorizer { name, kind } => problems.push(format!(
            "authorizer {name:?} ({kind}) could not be set up (see its own error); the route is not served without it"
        )),
    }
    let validation = match compile_validation(route, models) {
        Ok(validation) => validation,
        Err(error) => {
            problems.push(format!("x-amazon-apigateway-request-validator: {error}"));
            None
        }
    };
    let services = super::service::Services {
        iam_route: route.authorization == Authorization::Iam,
        ..services
    };
    let integration = match compile_integration(&route.integration, api_type, functions, services) {
        Ok(plan) => Some(plan),
        Err(mut errors) => {
            problems.append(&mut errors);
            None
        }
    };
    match integration {
        Some(integration) if problems.is_empty() => Ok(RoutePlan {
            index,
            api_key_required: route.api_key_required,
            resource: route.path.clone(),
            route_key: if route.path == crate::config::DEFAULT_NAME {
                route.path.clone()
            } else {
                format!("{} {}", route.method, route.path)
            },
            authorization_enabled: route.authorization != Authorization::None,
            authorize,
            validation,
            cache_key: CacheKeyPlan {
                namespace: route
                    .integration
                    .cache_key
                    .namespace
                    .clone()
                    .unwrap_or_else(|| route.path.clone()),
                parameters: route.integration.cache_key.parameters.clone(),
            },
            integration,
        }),
        _ => Err(problems),
    }
}

/// The route's request validation; `None` when its validator checks nothing.
fn compile_validation(
    route: &Route,
    models: &Models,
) -> Result<Option<MethodValidation>, ValidationConfigError> {
    let Some(declared) = route.validation.as_ref().filter(|v| v.body || v.parameters) else {
        return Ok(None);
    };
    let validator = Validator {
        body: declared.body,
        parameters: declared.parameters,
    };
    let required = route
        .request_parameters
        .iter()
        .filter(|p| p.required)
        .map(|p| {
            let location = match p.location {
                ParameterLocation::Path => validate::ParameterLocation::Path,
                ParameterLocation::QueryString => validate::ParameterLocation::QueryString,
                ParameterLocation::Header => validate::ParameterLocation::Header,
            };
            RequiredParameter::new(location, p.name.clone())
        })
        .collect();
    let body_models = route
        .request_models
        .iter()
        .map(|(content_type, model)| (content_type.clone(), model.clone()))
        .collect();
    MethodValidation::new(&validator, required, body_models, models).map(Some)
}
