//! Authorizers compiled at load: each API's JWT and Cognito authorizers as
//! [`JwtAuthorizer`]s. Verifiers are shared by every route naming them, and
//! kept across reloads while their settings are unchanged, so keys and
//! verified tokens survive a reload.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use portcullis_auth::fetch::Fetch;
use portcullis_auth::jwt::{Algorithm, JwtAuthorizer, KeyLocation};

use super::lambda_authorizer::LambdaAuthorizerPlan;
use crate::config::{
    Api, ApiType, AuthorizerKind, IdentitySource, JwtSettings, Problem, UpstreamSettings,
};
use crate::upstream::UpstreamClient;

/// An API's authorizers by security scheme name.
pub(crate) type AuthorizerPlans = BTreeMap<String, Arc<AuthorizerPlan>>;

/// One authorizer, ready for requests.
#[derive(Debug)]
pub(crate) enum AuthorizerPlan {
    /// HTTP API JWT or REST Cognito user pools.
    Jwt(JwtPlan),
    /// IAM: SigV4 and identity policies.
    Iam(Arc<super::iam::IamPlan>),
    /// A Lambda authorizer (TOKEN or REQUEST).
    Lambda(Box<LambdaAuthorizerPlan>),
}

impl AuthorizerPlan {
    /// Whether the authorizer needs the request body (SigV4 signs its hash).
    pub(crate) fn needs_body(&self) -> bool {
        matches!(self, Self::Iam(_))
    }
}

/// A JWT or Cognito authorizer.
#[derive(Debug)]
pub(crate) struct JwtPlan {
    /// Where the token is read.
    pub(crate) source: IdentitySource,
    /// REST Cognito semantics (the raw token; ID token without scopes,
    /// access token with them; refusals 401) rather than HTTP API JWT's.
    pub(crate) cognito: bool,
    /// One verifier per issuer (a Cognito authorizer may name several pools).
    pub(crate) verifiers: Vec<Arc<JwtAuthorizer>>,
}

impl JwtPlan {
    /// The verifier for a token claiming `issuer` (unverified; the verifier checks it).
    pub(crate) fn verifier(&self, issuer: Option<&str>) -> &JwtAuthorizer {
        match self.verifiers.as_slice() {
            [only] => only,
            many => issuer
                .and_then(|iss| many.iter().find(|v| v.issuer() == iss))
                .unwrap_or(&many[0]),
        }
    }
}

/// What makes two verifiers the same.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct VerifierKey {
    issuer: String,
    audiences: Vec<String>,
    location: KeyLocation,
    algorithms: Vec<Algorithm>,
}

type VerifierMap = HashMap<VerifierKey, Arc<JwtAuthorizer>>;

/// The verifiers of one gateway, by settings; handed to the next reload.
#[derive(Default)]
pub(crate) struct Verifiers {
    by_key: Mutex<VerifierMap>,
    /// The previous gateway's verifiers, taken over when still used.
    reusable: Mutex<VerifierMap>,
    fetch: Mutex<Option<Arc<dyn Fetch>>>,
}

impl std::fmt::Debug for Verifiers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self
            .by_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("Verifiers")
            .field("count", &count)
            .finish_non_exhaustive()
    }
}

impl Verifiers {
    /// Starts empty, able to take over `previous`'s verifiers (and its key
    /// client) where settings are unchanged.
    pub(crate) fn new(previous: Option<&Verifiers>) -> Self {
        let next = Self::default();
        if let Some(previous) = previous {
            *next.reusable.lock().unwrap_or_else(PoisonError::into_inner) = previous
                .by_key
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            *next.fetch.lock().unwrap_or_else(PoisonError::into_inner) = previous
                .fetch
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
        }
        next
    }

    fn fetch(&self, upstream: &UpstreamSettings) -> Result<Arc<dyn Fetch>, String> {
        let mut fetch = self.fetch.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(fetch) = fetch.as_ref() {
            return Ok(fetch.clone());
        }
        let client = UpstreamClient::new(upstream).map_err(|e| e.to_string())?;
        let client: Arc<dyn Fetch> = Arc::new(client);
        *fetch = Some(client.clone());
        Ok(client)
    }

    fn verifier(
        &self,
        key: VerifierKey,
        upstream: &UpstreamSettings,
    ) -> Result<Arc<JwtAuthorizer>, String> {
        let mut by_key = self.by_key.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = by_key.get(&key) {
            return Ok(found.clone());
        }
        let reused = self
            .reusable
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key);
        if let Some(reused) = reused {
            by_key.insert(key, reused.clone());
            return Ok(reused);
        }
        drop(by_key);
        let fetch = self.fetch(upstream)?;
        let verifier = Arc::new(
            JwtAuthorizer::builder(key.issuer.clone())
                .audiences(key.audiences.clone())
                .algorithms(key.algorithms.iter().copied())
                .fetch_keys(fetch, key.location.clone())
                .build(),
        );
        self.by_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, verifier.clone());
        Ok(verifier)
    }

    /// Compiles the authorizers of `api`; errors name the authorizer's location.
    pub(crate) fn compile(
        &self,
        api: &Api,
        settings: &JwtSettings,
        upstream: &UpstreamSettings,
        functions: &super::Functions,
    ) -> Result<AuthorizerPlans, Vec<Problem>> {
        let mut plans = BTreeMap::new();
        let mut problems = Vec::new();
        for (name, authorizer) in &api.authorizers {
            if let AuthorizerKind::Lambda(lambda) = &authorizer.kind {
                match LambdaAuthorizerPlan::compile(lambda, api.api_type, functions) {
                    Ok(plan) => {
                        plans.insert(
                            name.clone(),
                            Arc::new(AuthorizerPlan::Lambda(Box::new(plan))),
                        );
                    }
                    Err(error) => problems.push(Problem::new(
                        &api.source,
                        format!("{}.x-amazon-apigateway-authorizer", authorizer.location),
                        error,
                    )),
                }
                continue;
            }
            let verifiers: Vec<(String, Vec<String>, Option<&crate::config::IssuerSettings>)> =
                match &authorizer.kind {
                    AuthorizerKind::Jwt {
                        issuer, audiences, ..
                    } => {
                        vec![(
                            issuer.clone(),
                            audiences.clone(),
                            settings.issuers.get(issuer),
                        )]
                    }
                    AuthorizerKind::CognitoUserPools { user_pools, .. } => user_pools
                        .iter()
                        .map(|pool| {
                            let aws = pool.aws_issuer();
                            let local = settings
                                .cognito_user_pools
                                .get(&pool.id)
                                .or_else(|| settings.issuers.get(&aws));
                            (aws, Vec::new(), local)
                        })
                        .collect(),
                    AuthorizerKind::Lambda(_) => continue,
                };
            let mut compiled = Vec::new();
            for (issuer, audiences, local) in verifiers {
                let issuer = local.and_then(|l| l.issuer.clone()).unwrap_or(issuer);
                let location = match local.and_then(|l| l.jwks_uri.clone()) {
                    Some(jwks) => KeyLocation::Jwks(jwks),
                    None => KeyLocation::for_issuer(&issuer),
                };
                let algorithms = match local.map(|l| l.algorithms.as_slice()) {
                    Some(names) if !names.is_empty() => names
                        .iter()
                        .filter_map(|n| Algorithm::from_name(n))
                        .collect(),
                    _ => Algorithm::AWS.to_vec(),
                };
                let key = VerifierKey {
                    issuer,
                    audiences,
                    location,
                    algorithms,
                };
                match self.verifier(key, upstream) {
                    Ok(verifier) => compiled.push(verifier),
                    Err(error) => problems.push(Problem::new(
                        &api.source,
                        &authorizer.location,
                        format!("cannot set up the HTTP client that fetches its keys: {error}"),
                    )),
                }
            }
            let source = match &authorizer.kind {
                AuthorizerKind::Jwt {
                    identity_source, ..
                }
                | AuthorizerKind::CognitoUserPools {
                    identity_source, ..
                } => identity_source.clone(),
                AuthorizerKind::Lambda(_) => continue,
            };
            plans.insert(
                name.clone(),
                Arc::new(AuthorizerPlan::Jwt(JwtPlan {
                    source,
                    cognito: api.api_type == ApiType::Rest,
                    verifiers: compiled,
                })),
            );
        }
        if problems.is_empty() {
            Ok(plans)
        } else {
            Err(problems)
        }
    }
}
