//! Calling functions through Lambda's Invoke API, signed with SigV4.
//!
//! A [`RemoteFunction`] posts the payload to
//! `{endpoint}/2015-03-31/functions/{function}/invocations` as a synchronous
//! (`RequestResponse`) invocation and reads Lambda's answer back:
//!
//! | Lambda answers | [`Function::invoke`](crate::Function::invoke) gives |
//! | --- | --- |
//! | 200 | [`Outcome::Returned`] with the handler's result |
//! | 200 with `X-Amz-Function-Error` | [`Outcome::Failed`] with the error document |
//! | any other status | [`InvokeError::Remote`] with the status and `ErrorType (Reason): message` |
//! | no answer (refused, reset, TLS, timeout) | [`InvokeError::Transport`] |
//! | — (no credentials found) | [`InvokeError::Credentials`]; nothing is sent |
//!
//! Credentials come from a [`CredentialSource`], by default the AWS SDKs'
//! own chain (environment, shared profile files, web identity, container and
//! instance metadata), and are resolved on first use and cached until shortly
//! before they expire. [`CredentialSource::AssumeRole`] signs with a role's
//! temporary keys instead, from STS `AssumeRole` called with any other
//! source's credentials ([`AssumeRole`] says which STS endpoint it uses). [`signer`] is the one SigV4 signer: the Invoke client
//! and the gateway's AWS service integrations both sign with it.

mod client;
mod credentials;
pub mod signer;
mod spec;

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::uri::Scheme;

pub use spec::{
    AssumeRole, CredentialSource, DEFAULT_SESSION_NAME, DEFAULT_TIMEOUT, RemoteError, RemoteSpec,
    StaticCredentials,
};

use crate::{InvokeError, Outcome};
use client::{HttpClient, Invocation};
use credentials::CredentialCache;
use spec::Target;

/// A Lambda function called through the Invoke API.
///
/// Cheap to share behind an `Arc`: the HTTP connection pool and the
/// credential cache are per function and used concurrently.
pub struct RemoteFunction {
    name: String,
    function: String,
    region: String,
    target: Target,
    timeout: Duration,
    credentials: CredentialCache,
    client: HttpClient,
}

impl RemoteFunction {
    /// Checks `spec` and prepares the client. Reads no credentials and opens
    /// no connection: those happen on the first invocation, so a gateway can
    /// start where the credential sources are not reachable yet.
    pub fn new(spec: RemoteSpec) -> Result<Self, RemoteError> {
        let target = spec::validate(&spec)?;
        let https = target.uri.scheme() == Some(&Scheme::HTTPS);
        let client = client::http_client(&spec.name, https)?;
        Ok(Self {
            credentials: CredentialCache::new(&spec.credentials, &spec.region),
            name: spec.name,
            function: spec.function,
            region: spec.region,
            target,
            timeout: spec.timeout,
            client,
        })
    }

    /// The function's name (the one the gateway configuration uses).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Lambda's name or ARN for the function.
    pub fn function(&self) -> &str {
        &self.function
    }

    /// The URI invocations are posted to.
    pub fn uri(&self) -> &http::Uri {
        &self.target.uri
    }

    /// Invokes the function synchronously with `payload`; see the
    /// [module documentation](self) for how answers map to results.
    ///
    /// `request_id` is the caller's request id; it goes into this crate's log
    /// lines so a gateway request can be followed to its invocation.
    pub async fn invoke(&self, payload: Bytes, request_id: &str) -> Result<Outcome, InvokeError> {
        self.invoke_traced(payload, request_id, None).await
    }

    /// Invokes the function as [`invoke`](Self::invoke) does, the Invoke
    /// request carrying `trace` as `X-Amzn-Trace-Id` (unsigned, as the AWS
    /// SDKs send it), so Lambda continues the caller's X-Ray trace.
    pub async fn invoke_traced(
        &self,
        payload: Bytes,
        request_id: &str,
        trace: Option<http::HeaderValue>,
    ) -> Result<Outcome, InvokeError> {
        let credentials =
            self.credentials
                .get()
                .await
                .map_err(|message| InvokeError::Credentials {
                    function: self.name.clone(),
                    message,
                })?;
        let request = client::signed_request(
            Invocation {
                uri: &self.target.uri,
                host: &self.target.host,
                region: &self.region,
                payload,
                trace,
            },
            &credentials,
            SystemTime::now(),
        )
        .map_err(|message| InvokeError::Credentials {
            function: self.name.clone(),
            message,
        })?;
        tracing::debug!(
            function = %self.name,
            lambda = %self.function,
            request_id,
            "invoking remote function"
        );
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|error| client::transport_error(&self.name, &error))?;
            client::read_answer(&self.name, response).await
        };
        let result = match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(InvokeError::Transport {
                function: self.name.clone(),
                message: format!("no answer within {:?}", self.timeout),
            }),
        };
        match &result {
            Ok(Outcome::Returned(_)) => {
                tracing::debug!(function = %self.name, request_id, "remote function returned");
            }
            Ok(Outcome::Failed(_)) => {
                tracing::debug!(function = %self.name, request_id, "remote function failed");
            }
            Err(error) => {
                tracing::warn!(function = %self.name, request_id, %error, "remote invocation failed");
            }
        }
        result
    }
}

impl fmt::Debug for RemoteFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteFunction")
            .field("name", &self.name)
            .field("function", &self.function)
            .field("region", &self.region)
            .field("uri", &self.target.uri)
            .field("timeout", &self.timeout)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// An error and its causes, `outer: inner: innermost`, skipping a cause
/// whose text the outer message already contains.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
