//! The signature algorithms a token may name.

/// The signature algorithms Portcullis knows. API Gateway accepts the RSA
/// PKCS#1 ones only; the others must be enabled per authorizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 (a Portcullis extension).
    PS256,
    /// RSASSA-PSS with SHA-384 (a Portcullis extension).
    PS384,
    /// RSASSA-PSS with SHA-512 (a Portcullis extension).
    PS512,
    /// ECDSA on P-256 with SHA-256 (a Portcullis extension).
    ES256,
    /// ECDSA on P-384 with SHA-384 (a Portcullis extension).
    ES384,
}

impl Algorithm {
    /// What API Gateway accepts: the RSA PKCS#1 algorithms.
    pub const AWS: &'static [Algorithm] = &[Algorithm::RS256, Algorithm::RS384, Algorithm::RS512];

    /// The algorithm a JOSE `alg` names, if Portcullis knows it.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "RS256" => Self::RS256,
            "RS384" => Self::RS384,
            "RS512" => Self::RS512,
            "PS256" => Self::PS256,
            "PS384" => Self::PS384,
            "PS512" => Self::PS512,
            "ES256" => Self::ES256,
            "ES384" => Self::ES384,
            _ => return None,
        })
    }

    /// The JOSE name.
    pub fn name(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
        }
    }
}
