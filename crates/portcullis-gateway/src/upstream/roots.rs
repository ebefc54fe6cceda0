//! The trust store and rustls client configuration for HTTPS backends.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};

use super::error::UpstreamBuildError;

/// Builds the client TLS configuration: `ring` provider, safe default protocol
/// versions, trust = system roots plus every certificate in `ca_files`.
///
/// ALPN is left empty: the connector builder sets `h2`, `http/1.1`.
pub(crate) fn client_config(
    ca_files: &[impl AsRef<Path>],
) -> Result<ClientConfig, UpstreamBuildError> {
    let mut roots = system_roots();
    for path in ca_files {
        add_ca_file(&mut roots, path.as_ref())?;
    }
    if roots.is_empty() {
        tracing::warn!(
            "no trusted CA certificates (no system roots and no upstream CA files): every HTTPS backend will fail verification"
        );
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(UpstreamBuildError::Tls)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// The platform's trusted roots; an empty store (with a warning) when the
/// platform has none or they cannot be read, so containers without a CA
/// bundle still start and can rely on `ca_files`.
fn system_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::warn!(%error, "while loading the system CA certificates");
    }
    let (valid, invalid) = roots.add_parsable_certificates(found.certs);
    if invalid > 0 {
        tracing::debug!(invalid, "skipped unparsable system CA certificates");
    }
    if valid == 0 {
        tracing::warn!("no system CA certificates found; only the upstream CA files are trusted");
    }
    roots
}

/// Adds every certificate of the PEM file at `path` to `roots`.
fn add_ca_file(roots: &mut RootCertStore, path: &Path) -> Result<(), UpstreamBuildError> {
    let file = File::open(path).map_err(|source| UpstreamBuildError::CaFileRead {
        path: path.to_owned(),
        source,
    })?;
    let mut reader = BufReader::new(file);
    let mut count = 0;
    for cert in rustls_pemfile::certs(&mut reader) {
        let cert = cert.map_err(|source| UpstreamBuildError::CaFilePem {
            path: path.to_owned(),
            source,
        })?;
        count += 1;
        roots
            .add(cert)
            .map_err(|source| UpstreamBuildError::CaFileInvalid {
                path: path.to_owned(),
                index: count,
                source,
            })?;
    }
    if count == 0 {
        return Err(UpstreamBuildError::CaFileEmpty {
            path: path.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, contents).expect("write test file");
        path
    }

    #[test]
    fn missing_file_is_named() {
        let err = client_config(&["/nonexistent/ca.pem"]).expect_err("missing file");
        assert!(matches!(err, UpstreamBuildError::CaFileRead { .. }));
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }

    #[test]
    fn file_without_certificates_is_rejected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "empty.pem", "just some text\n");
        let err = client_config(&[&path]).expect_err("no certificates");
        assert!(
            matches!(err, UpstreamBuildError::CaFileEmpty { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("empty.pem"), "{err}");
    }

    #[test]
    fn broken_base64_is_rejected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pem = "-----BEGIN CERTIFICATE-----\n!!not base64!!\n-----END CERTIFICATE-----\n";
        let path = write(dir.path(), "broken.pem", pem);
        let err = client_config(&[&path]).expect_err("bad PEM");
        assert!(matches!(err, UpstreamBuildError::CaFilePem { .. }), "{err}");
    }

    #[test]
    fn garbage_certificate_is_rejected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pem = "-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----\n";
        let path = write(dir.path(), "garbage.pem", pem);
        let err = client_config(&[&path]).expect_err("not a certificate");
        assert!(
            matches!(err, UpstreamBuildError::CaFileInvalid { index: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn valid_ca_file_is_accepted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ca = rcgen::generate_simple_self_signed(vec!["ca.test".to_owned()]).expect("rcgen");
        let path = write(dir.path(), "ca.pem", &ca.cert.pem());
        client_config(&[&path]).expect("valid CA file");
    }
}
