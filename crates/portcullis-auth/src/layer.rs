//! A `tower` layer that guards a service with a [`JwtAuthorizer`], as an
//! HTTP API JWT authorizer guards a route: the token from `Authorization`
//! (with or without `Bearer `), verified, then the route's scopes. Refusals
//! are API Gateway's: 401 `{"message":"Unauthorized"}` or 403
//! `{"message":"Forbidden"}` with the `www-authenticate` challenge. The
//! verified token reaches the inner service as an `Arc<VerifiedToken>`
//! request extension.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use pin_project::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::jwt::{JwtAuthorizer, JwtError, VerifiedToken, bearer_token};

/// Guards services with a JWT authorizer and, optionally, scopes.
#[derive(Clone, Debug)]
pub struct JwtLayer {
    authorizer: Arc<JwtAuthorizer>,
    scopes: Arc<[String]>,
}

impl JwtLayer {
    /// Requires a token `authorizer` verifies.
    pub fn new(authorizer: Arc<JwtAuthorizer>) -> Self {
        Self {
            authorizer,
            scopes: Arc::new([]),
        }
    }

    /// Also requires at least one of `scopes` (403 otherwise).
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }
}

impl<S> Layer<S> for JwtLayer {
    type Service = Jwt<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Jwt {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`JwtLayer`] makes.
#[derive(Clone, Debug)]
pub struct Jwt<S> {
    inner: S,
    layer: JwtLayer,
}

type Verification = Pin<Box<dyn Future<Output = Result<Arc<VerifiedToken>, JwtError>> + Send>>;

impl<S, B, ResBody> Service<Request<B>> for Jwt<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone,
    ResBody: From<Bytes>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone waits; the service that was polled ready serves this request.
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        let token = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .map(str::to_owned);
        let Some(token) = token else {
            return ResponseFuture {
                state: State::Refused(Some(refusal(&JwtError::Missing("Authorization".into())))),
            };
        };
        let authorizer = self.layer.authorizer.clone();
        let scopes = self.layer.scopes.clone();
        let verification: Verification = Box::pin(async move {
            let verified = authorizer.verify(&token, SystemTime::now()).await?;
            verified.require_scopes(&scopes)?;
            Ok(verified)
        });
        ResponseFuture {
            state: State::Verifying {
                verification,
                waiting: Some(Box::new((inner, request))),
            },
        }
    }
}

/// The response future of [`Jwt`].
#[pin_project]
pub struct ResponseFuture<S: Service<Request<B>>, B> {
    #[pin]
    state: State<S, B>,
}

impl<S: Service<Request<B>>, B> std::fmt::Debug for ResponseFuture<S, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

#[pin_project(project = StateProj)]
enum State<S: Service<Request<B>>, B> {
    Verifying {
        verification: Verification,
        waiting: Option<Box<(S, Request<B>)>>,
    },
    Calling {
        #[pin]
        future: S::Future,
    },
    Refused(Option<Refusal>),
}

/// A refusal: its status and challenge.
struct Refusal {
    status: StatusCode,
    challenge: String,
}

fn refusal(error: &JwtError) -> Refusal {
    let status = match error {
        JwtError::InsufficientScope { .. } => StatusCode::FORBIDDEN,
        _ => StatusCode::UNAUTHORIZED,
    };
    Refusal {
        status,
        challenge: error.challenge(),
    }
}

impl<S, B, ResBody> Future for ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    ResBody: From<Bytes>,
{
    type Output = Result<Response<ResBody>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::Verifying {
                    verification,
                    waiting,
                } => match ready!(verification.as_mut().poll(cx)) {
                    Ok(verified) => {
                        let (mut inner, mut request) =
                            *waiting.take().expect("a verification completes once");
                        request.extensions_mut().insert(verified);
                        let future = inner.call(request);
                        state.set(State::Calling { future });
                    }
                    Err(error) => state.set(State::Refused(Some(refusal(&error)))),
                },
                StateProj::Calling { future } => return future.poll(cx),
                StateProj::Refused(refused) => {
                    let refused = refused.take().expect("a refusal is answered once");
                    return Poll::Ready(Ok(answer(refused)));
                }
            }
        }
    }
}

fn answer<ResBody: From<Bytes>>(refused: Refusal) -> Response<ResBody> {
    let message = if refused.status == StatusCode::FORBIDDEN {
        "Forbidden"
    } else {
        "Unauthorized"
    };
    let body = Bytes::from(format!("{{\"message\":\"{message}\"}}"));
    let mut response = Response::new(ResBody::from(body));
    *response.status_mut() = refused.status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(challenge) = HeaderValue::from_str(&refused.challenge) {
        headers.insert(header::WWW_AUTHENTICATE, challenge);
    }
    response
}
