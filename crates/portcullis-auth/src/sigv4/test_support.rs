//! Requests signed as a client signs them, for the unit tests: `aws-sigv4`
//! with its default settings, at a fixed time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation as Location, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use http::Request;

use super::{EXECUTE_API, SigV4Error, SignedRequest, SigningSecret, Verified, Verifier};

pub(crate) const HOST: &str = "abc123.execute-api.us-east-1.amazonaws.com";
pub(crate) const KEY: &str = "AKIDEXAMPLE";
pub(crate) const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub(crate) const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLE//token==";

/// 2026-12-05T12:00:00Z.
pub(crate) fn signed_at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_472_000)
}

pub(crate) fn secrets(id: &str) -> Option<SigningSecret> {
    match id {
        KEY => Some(SigningSecret::new(SECRET)),
        "ASIATEMPORARY" => Some(SigningSecret::new(SECRET).with_session_token(TOKEN)),
        _ => None,
    }
}

pub(crate) struct Client {
    pub(crate) key: &'static str,
    pub(crate) token: Option<&'static str>,
    pub(crate) region: &'static str,
    pub(crate) service: &'static str,
    pub(crate) at: SystemTime,
    pub(crate) presign: Option<Duration>,
}

impl Default for Client {
    fn default() -> Self {
        Self {
            key: KEY,
            token: None,
            region: "us-east-1",
            service: EXECUTE_API,
            at: signed_at(),
            presign: None,
        }
    }
}

impl Client {
    pub(crate) fn sign(&self, mut request: Request<Vec<u8>>) -> Request<Vec<u8>> {
        let identity: Identity = Credentials::new(
            self.key,
            SECRET,
            self.token.map(str::to_owned),
            None,
            "test",
        )
        .into();
        let mut settings = SigningSettings::default();
        if let Some(expires) = self.presign {
            settings.signature_location = Location::QueryParams;
            settings.expires_in = Some(expires);
        }
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region)
            .name(self.service)
            .time(self.at)
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let uri = request.uri().to_string();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        let signable = SignableRequest::new(
            request.method().as_str(),
            uri,
            headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
            SignableBody::Bytes(request.body()),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        instructions.apply_to_request_http1x(&mut request);
        request
    }
}

pub(crate) fn get(target: &str) -> Request<Vec<u8>> {
    Request::get(format!("https://{HOST}{target}"))
        .header("host", HOST)
        .body(Vec::new())
        .unwrap()
}

pub(crate) fn verify_at(
    request: &Request<Vec<u8>>,
    now: SystemTime,
) -> Result<Verified, SigV4Error> {
    verify_with(&Verifier::new("us-east-1"), request, now)
}

pub(crate) fn verify_with(
    verifier: &Verifier,
    request: &Request<Vec<u8>>,
    now: SystemTime,
) -> Result<Verified, SigV4Error> {
    let signed = SignedRequest::new(
        request.method(),
        request.uri(),
        request.headers(),
        request.body(),
    );
    verifier.verify(&signed, now, &secrets)
}

pub(crate) fn verify(request: &Request<Vec<u8>>) -> Result<Verified, SigV4Error> {
    verify_at(request, signed_at() + Duration::from_secs(1))
}
