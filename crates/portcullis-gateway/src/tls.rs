//! Server-side TLS for listeners: PEM certificate chain and private key to a
//! rustls configuration (`ring` provider, ALPN `h2` then `http/1.1`).

use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{InconsistentKeys, ServerConfig};

use crate::config::model::TlsFiles;

/// ALPN protocols a TLS listener offers, preferred first.
pub const ALPN_PROTOCOLS: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// Why a listener's certificate or key cannot be used. Every variant names the
/// file concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file could not be opened or read (missing, permissions).
    #[error("cannot read TLS {role} file {}: {source}", .path.display())]
    Read {
        /// `certificate` or `private key`.
        role: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file is not valid PEM (e.g. broken base64 inside a block).
    #[error("TLS {role} file {} is not valid PEM: {source}", .path.display())]
    Pem {
        /// `certificate` or `private key`.
        role: &'static str,
        /// The file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: io::Error,
    },
    /// The certificate file holds no `CERTIFICATE` block.
    #[error("TLS certificate file {} contains no PEM CERTIFICATE block", .path.display())]
    NoCertificates {
        /// The certificate file.
        path: PathBuf,
    },
    /// The key file holds no private key block.
    #[error(
        "TLS key file {} contains no private key (expected a PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)",
        .path.display()
    )]
    NoKey {
        /// The key file.
        path: PathBuf,
    },
    /// The private key is not the one of the leaf certificate.
    #[error(
        "TLS private key {} does not match the first certificate in {}",
        .key.display(),
        .cert.display()
    )]
    KeyMismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
    },
    /// rustls refused the pair for another reason (unsupported key type,
    /// malformed key or certificate).
    #[error("TLS certificate {} with key {} rejected: {source}", .cert.display(), .key.display())]
    Rejected {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// What rustls said.
        #[source]
        source: rustls::Error,
    },
}

/// Loads a listener's certificate chain (leaf first) and private key (PKCS#8,
/// PKCS#1 or SEC1, the first key in the file) into a rustls server
/// configuration using the `ring` provider, offering ALPN `h2` then
/// `http/1.1`.
///
/// Reads the files synchronously; it runs at startup and on reload.
///
/// # Errors
///
/// [`TlsError`] naming the file: missing or unreadable, not PEM, no
/// certificate, no private key, key not matching the leaf certificate, or a
/// key type rustls cannot use.
pub fn load_server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let certs = read_certs(&files.cert)?;
    let key = read_key(&files.key)?;
    let rejected = |source| match source {
        rustls::Error::InconsistentKeys(InconsistentKeys::KeyMismatch) => TlsError::KeyMismatch {
            cert: files.cert.clone(),
            key: files.key.clone(),
        },
        source => TlsError::Rejected {
            cert: files.cert.clone(),
            key: files.key.clone(),
            source,
        },
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(rejected)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(rejected)?;
    config.alpn_protocols = ALPN_PROTOCOLS.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}

/// A TLS acceptor for a listener, from [`load_server_config`]'s result.
pub fn tls_acceptor(config: Arc<ServerConfig>) -> tokio_rustls::TlsAcceptor {
    tokio_rustls::TlsAcceptor::from(config)
}

/// Opens `path` for PEM reading.
fn open(role: &'static str, path: &Path) -> Result<BufReader<File>, TlsError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|source| TlsError::Read {
            role,
            path: path.to_owned(),
            source,
        })
}

/// Every certificate in the PEM file at `path`, in order.
fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    const ROLE: &str = "certificate";
    let mut reader = open(ROLE, path)?;
    let certs = rustls_pemfile::certs(&mut reader)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| TlsError::Pem {
            role: ROLE,
            path: path.to_owned(),
            source,
        })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificates {
            path: path.to_owned(),
        });
    }
    Ok(certs)
}

/// The first private key in the PEM file at `path`.
fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    const ROLE: &str = "private key";
    let mut reader = open(ROLE, path)?;
    match rustls_pemfile::private_key(&mut reader) {
        Ok(Some(key)) => Ok(key),
        Ok(None) => Err(TlsError::NoKey {
            path: path.to_owned(),
        }),
        Err(source) => Err(TlsError::Pem {
            role: ROLE,
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pair {
        _dir: tempfile::TempDir,
        files: TlsFiles,
    }

    /// Writes `cert` and `key` PEM text to a fresh directory.
    fn pair(cert: &str, key: &str) -> Pair {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = TlsFiles {
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
        };
        std::fs::write(&files.cert, cert).expect("write cert");
        std::fs::write(&files.key, key).expect("write key");
        Pair { _dir: dir, files }
    }

    fn self_signed() -> rcgen::CertifiedKey<rcgen::KeyPair> {
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("rcgen")
    }

    #[test]
    fn loads_a_valid_pair_with_alpn() {
        let generated = self_signed();
        let pair = pair(
            &generated.cert.pem(),
            &generated.signing_key.serialize_pem(),
        );
        let config = load_server_config(&pair.files).expect("valid pair");
        assert_eq!(
            config.alpn_protocols,
            [b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }

    #[test]
    fn loads_pkcs1_rsa_and_sec1_keys() {
        let rsa = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let sec1 = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        let generated = self_signed();
        // The blocks are found and handed to rustls (which rejects the junk):
        // the error is not `NoKey`.
        for key in [rsa, sec1] {
            let pair = pair(&generated.cert.pem(), key);
            let err = load_server_config(&pair.files).expect_err("junk key");
            assert!(matches!(err, TlsError::Rejected { .. }), "{err}");
        }
    }

    #[test]
    fn missing_file_is_named() {
        let files = TlsFiles {
            cert: PathBuf::from("/nonexistent/cert.pem"),
            key: PathBuf::from("/nonexistent/key.pem"),
        };
        let err = load_server_config(&files).expect_err("missing");
        assert!(
            matches!(
                err,
                TlsError::Read {
                    role: "certificate",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("/nonexistent/cert.pem"), "{err}");
    }

    #[test]
    fn garbage_pem_has_no_certificates() {
        let generated = self_signed();
        let pair = pair("garbage\n", &generated.signing_key.serialize_pem());
        let err = load_server_config(&pair.files).expect_err("garbage");
        assert!(matches!(err, TlsError::NoCertificates { .. }), "{err}");
        assert!(err.to_string().contains("cert.pem"), "{err}");
    }

    #[test]
    fn broken_base64_is_not_pem() {
        let generated = self_signed();
        let cert = "-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n";
        let pair = pair(cert, &generated.signing_key.serialize_pem());
        let err = load_server_config(&pair.files).expect_err("bad base64");
        assert!(
            matches!(
                err,
                TlsError::Pem {
                    role: "certificate",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn key_file_without_key_is_rejected() {
        let generated = self_signed();
        let pair = pair(&generated.cert.pem(), &generated.cert.pem());
        let err = load_server_config(&pair.files).expect_err("no key");
        assert!(matches!(err, TlsError::NoKey { .. }), "{err}");
        assert!(err.to_string().contains("key.pem"), "{err}");
    }

    #[test]
    fn mismatched_key_is_rejected() {
        let one = self_signed();
        let other = self_signed();
        let pair = pair(&one.cert.pem(), &other.signing_key.serialize_pem());
        let err = load_server_config(&pair.files).expect_err("mismatch");
        assert!(matches!(err, TlsError::KeyMismatch { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("key.pem") && text.contains("cert.pem"),
            "{text}"
        );
    }
}
