//! The process settings of the native file: listeners, backend CAs, reload
//! and shutdown. Relative file paths are resolved against the config file's
//! folder, and every file named is checked to exist.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::model::{Listener, ReloadSettings, TlsFiles, UpstreamSettings};
use super::native::{ListenerEntry, ReloadEntry, ShutdownEntry, UpstreamEntry};
use super::problems::{Problems, child, item};

/// The listener used when none is configured.
pub(crate) const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    3000,
));
/// Longest accepted shutdown grace period.
const MAX_GRACE_SECONDS: u64 = 3600;
/// Longest accepted reload debounce.
const MAX_DEBOUNCE_MS: u64 = 60_000;

/// Where relative paths of the config file are resolved, and where it is.
pub(crate) struct Base<'a> {
    /// The config file.
    pub(crate) file: &'a Path,
    /// Its folder.
    pub(crate) dir: &'a Path,
}

impl Base<'_> {
    /// Resolves `path` against the config file's folder.
    pub(crate) fn resolve(&self, path: &str) -> PathBuf {
        self.dir.join(path)
    }

    /// Resolves a file the config names, records it as read, and checks it exists.
    fn existing_file(
        &self,
        path: &str,
        at: &str,
        what: &str,
        problems: &mut Problems,
        files: &mut Vec<PathBuf>,
    ) -> PathBuf {
        let resolved = self.resolve(path);
        if path.is_empty() {
            problems.at(self.file, at, format!("the {what} path is empty"));
        } else if !resolved.is_file() {
            problems.at(
                self.file,
                at,
                format!(
                    "{what} `{}` does not exist or is not a file",
                    resolved.display()
                ),
            );
        }
        files.push(resolved.clone());
        resolved
    }
}

/// The default listeners: `127.0.0.1:3000`, cleartext.
pub(crate) fn default_listeners() -> Vec<Listener> {
    vec![Listener {
        address: DEFAULT_LISTEN,
        tls: None,
    }]
}

/// Checks `listeners`.
pub(crate) fn listeners(
    entries: Option<Vec<ListenerEntry>>,
    base: &Base<'_>,
    problems: &mut Problems,
    files: &mut Vec<PathBuf>,
) -> Vec<Listener> {
    let Some(entries) = entries else {
        return default_listeners();
    };
    if entries.is_empty() {
        problems.at(
            base.file,
            "listeners",
            "no listeners; leave `listeners` out to listen on 127.0.0.1:3000",
        );
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let at = item("listeners", i);
        let address = match entry.address.trim().parse::<SocketAddr>() {
            Ok(address) => Some(address),
            Err(_) => {
                problems.at(
                    base.file,
                    child(&at, "address"),
                    format!(
                        "`{}` is not an IP address and port (like 127.0.0.1:3000 or [::1]:3000)",
                        entry.address
                    ),
                );
                None
            }
        };
        if let Some(address) = address
            && !seen.insert(address)
        {
            problems.at(
                base.file,
                child(&at, "address"),
                format!("{address} is listed twice"),
            );
        }
        let tls = entry.tls.map(|tls| {
            let tls_at = child(&at, "tls");
            TlsFiles {
                cert: base.existing_file(
                    &tls.cert,
                    &child(&tls_at, "cert"),
                    "certificate file",
                    problems,
                    files,
                ),
                key: base.existing_file(
                    &tls.key,
                    &child(&tls_at, "key"),
                    "key file",
                    problems,
                    files,
                ),
            }
        });
        if let Some(address) = address {
            out.push(Listener { address, tls });
        }
    }
    out
}

/// Checks `upstream`.
pub(crate) fn upstream(
    entry: UpstreamEntry,
    base: &Base<'_>,
    problems: &mut Problems,
    files: &mut Vec<PathBuf>,
) -> UpstreamSettings {
    let ca_files = entry
        .ca_files
        .iter()
        .enumerate()
        .map(|(i, path)| {
            base.existing_file(
                path,
                &item("upstream.ca_files", i),
                "CA file",
                problems,
                files,
            )
        })
        .collect();
    UpstreamSettings { ca_files }
}

/// Checks `reload`.
pub(crate) fn reload(
    entry: ReloadEntry,
    base: &Base<'_>,
    problems: &mut Problems,
) -> ReloadSettings {
    if entry.debounce_ms > MAX_DEBOUNCE_MS {
        problems.at(
            base.file,
            "reload.debounce_ms",
            format!("at most {MAX_DEBOUNCE_MS} ms"),
        );
    }
    ReloadSettings {
        watch: entry.watch,
        debounce: Duration::from_millis(entry.debounce_ms.min(MAX_DEBOUNCE_MS)),
    }
}

/// Checks `shutdown`.
pub(crate) fn shutdown_grace(
    entry: ShutdownEntry,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Duration {
    if entry.grace_seconds > MAX_GRACE_SECONDS {
        problems.at(
            base.file,
            "shutdown.grace_seconds",
            format!("at most {MAX_GRACE_SECONDS} seconds"),
        );
    }
    Duration::from_secs(entry.grace_seconds.min(MAX_GRACE_SECONDS))
}
