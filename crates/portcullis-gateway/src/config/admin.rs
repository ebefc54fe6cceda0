//! `admin`, `--admin` and `--no-admin`: where the admin listener listens.
//!
//! On by default, on loopback: `127.0.0.1`, port = the first listener's port + 1
//! (port 0, an ephemeral port, when the first listener's is 0).
//! `admin: {address: IP:PORT}` or `--admin IP:PORT` chooses the address
//! (loopback only: the listener resets usage and reloads the config);
//! `admin: null` or `--no-admin` turns it off (as `throttling.account: null`
//! turns the account level off).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use super::model::{AdminSettings, Listener};
use super::native::AdminEntry;
use super::problems::{COMMAND_LINE, Problems};

/// What the command line says about the admin listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminFlag {
    /// `--admin ADDR`.
    At(SocketAddr),
    /// `--no-admin`.
    Off,
}

const LOOPBACK_ONLY: &str =
    "the admin listener reads and resets usage: it listens on loopback only (127.0.0.1 or ::1)";

/// The admin setting of the config file's `admin` (`None` when not
/// written): the default's placeholder, an address, or off (`admin: null`).
pub(crate) fn from_file(
    entry: Option<Option<AdminEntry>>,
    file: &Path,
    problems: &mut Problems,
) -> Option<AdminSettings> {
    match entry {
        None => Some(AdminSettings::DEFAULT),
        Some(None) => None,
        Some(Some(entry)) => {
            parse(&entry.address, file, "admin.address", problems).map(|address| AdminSettings {
                address,
                defaulted: false,
            })
        }
    }
}

/// Applies `--admin`/`--no-admin` over the file's setting, then resolves
/// the default against the listeners (after `--listen`).
pub(crate) fn resolve(
    from_file: Option<AdminSettings>,
    flag: Option<AdminFlag>,
    listeners: &[Listener],
    problems: &mut Problems,
) -> Option<AdminSettings> {
    let setting = match flag {
        None => from_file,
        Some(AdminFlag::Off) => None,
        Some(AdminFlag::At(address)) => {
            if address.ip().is_loopback() {
                Some(AdminSettings {
                    address,
                    defaulted: false,
                })
            } else {
                problems.flag("--admin", LOOPBACK_ONLY);
                None
            }
        }
    }?;
    if !setting.defaulted {
        return Some(setting);
    }
    let port = match listeners.first().map(|l| l.address.port()) {
        Some(0) | None => 0,
        Some(port) => match port.checked_add(1) {
            Some(port) => port,
            None => {
                problems.warn(
                    Path::new(COMMAND_LINE),
                    "admin",
                    "the first listener's port is 65535, so the admin listener has no default port and is off; set admin.address (or --admin) to turn it on",
                );
                return None;
            }
        },
    };
    Some(AdminSettings {
        address: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        defaulted: true,
    })
}

fn parse(text: &str, file: &Path, at: &str, problems: &mut Problems) -> Option<SocketAddr> {
    match text.parse::<SocketAddr>() {
        Ok(address) if address.ip().is_loopback() => Some(address),
        Ok(_) => {
            problems.at(file, at, LOOPBACK_ONLY);
            None
        }
        Err(error) => {
            problems.at(file, at, format!("`{text}` is not IP:port: {error}"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listener(address: &str) -> Listener {
        Listener {
            address: address.parse().unwrap(),
            tls: None,
        }
    }

    fn entry(address: &str) -> Option<Option<AdminEntry>> {
        Some(Some(AdminEntry {
            address: address.to_owned(),
        }))
    }

    #[test]
    fn the_default_is_the_first_listeners_port_plus_one_on_loopback() {
        let mut problems = Problems::new();
        let file = from_file(None, Path::new("c.yaml"), &mut problems);
        let resolved = resolve(file, None, &[listener("0.0.0.0:3000")], &mut problems).unwrap();
        assert_eq!(resolved.address, "127.0.0.1:3001".parse().unwrap());
        assert!(resolved.defaulted);
        let ephemeral = resolve(file, None, &[listener("127.0.0.1:0")], &mut problems).unwrap();
        assert_eq!(ephemeral.address.port(), 0);
        assert_eq!(problems.error_count(), 0);
        assert_eq!(
            resolve(file, None, &[listener("127.0.0.1:65535")], &mut problems),
            None
        );
    }

    #[test]
    fn files_and_flags_choose_or_turn_it_off() {
        let mut problems = Problems::new();
        let file = Path::new("c.yaml");
        let at = from_file(entry("127.0.0.1:9000"), file, &mut problems);
        assert_eq!(at.unwrap().address.port(), 9000);
        let listeners = [listener("127.0.0.1:3000")];
        assert_eq!(
            resolve(at, Some(AdminFlag::Off), &listeners, &mut problems),
            None
        );
        let off = from_file(Some(None), file, &mut problems);
        assert_eq!(off, None);
        let flag = AdminFlag::At("[::1]:9100".parse().unwrap());
        let chosen = resolve(off, Some(flag), &listeners, &mut problems).unwrap();
        assert_eq!(chosen.address, "[::1]:9100".parse().unwrap());
        assert!(!chosen.defaulted);
        assert_eq!(problems.error_count(), 0);
    }

    #[test]
    fn non_loopback_and_malformed_addresses_are_errors() {
        let mut problems = Problems::new();
        let file = Path::new("c.yaml");
        assert_eq!(from_file(entry("0.0.0.0:9001"), file, &mut problems), None);
        assert_eq!(from_file(entry("nope"), file, &mut problems), None);
        let flag = AdminFlag::At("10.0.0.1:9000".parse().unwrap());
        assert_eq!(resolve(None, Some(flag), &[], &mut problems), None);
        assert_eq!(problems.error_count(), 3);
    }
}
