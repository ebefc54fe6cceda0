//! CIDR blocks for `IpAddress` / `NotIpAddress`, parsed by hand with
//! `std::net`.

use std::net::IpAddr;

/// An address block. Host bits written in the policy (`123.4.5.6/24`, as the
/// API Gateway guide's own example has) are ignored, as IAM ignores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    network: u128,
    mask: u128,
    v4: bool,
}

impl Cidr {
    /// Reads `192.0.2.0/24`, `2001:db8::/32`, or a bare address (a block of
    /// one). Errors say what is wrong, to follow the element's name.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("value {text:?} is not an IP address or CIDR block");
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let (bits, v4, width) = match addr.parse::<IpAddr>().map_err(|_| bad())? {
            IpAddr::V4(a) => (u128::from(u32::from(a)), true, 32),
            IpAddr::V6(a) => (u128::from(a), false, 128),
        };
        let prefix = match prefix {
            None => width,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u32>().map_err(|_| bad())?
            }
            Some(_) => return Err(bad()),
        };
        if prefix > width {
            return Err(format!("value {text:?} has a prefix length over {width}"));
        }
        let mask = if prefix == 0 {
            0
        } else {
            (u128::MAX << (width - prefix)) & width_mask(width)
        };
        Ok(Cidr {
            network: bits & mask,
            mask,
            v4,
        })
    }

    /// Whether `ip` is in the block. An IPv4 address written as IPv6
    /// (`::ffff:192.0.2.1`, as a dual-stack listener reports IPv4 clients)
    /// counts as the IPv4 address.
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        let (bits, v4) = match ip {
            IpAddr::V4(a) => (u128::from(u32::from(a)), true),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(a) if self.v4 => (u128::from(u32::from(a)), true),
                _ => (u128::from(a), false),
            },
        };
        v4 == self.v4 && bits & self.mask == self.network
    }
}

fn width_mask(width: u32) -> u128 {
    if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(cidr: &str, ip: &str) -> bool {
        Cidr::parse(cidr).unwrap().contains(ip.parse().unwrap())
    }

    #[test]
    fn ipv4_blocks() {
        assert!(has("192.0.2.0/24", "192.0.2.0"));
        assert!(has("192.0.2.0/24", "192.0.2.255"));
        assert!(!has("192.0.2.0/24", "192.0.3.0"));
        assert!(!has("192.0.2.0/24", "192.0.1.255"));
        assert!(has("123.4.5.6/24", "123.4.5.200"));
        assert!(has("0.0.0.0/0", "255.255.255.255"));
        assert!(has("10.1.2.3/32", "10.1.2.3"));
        assert!(!has("10.1.2.3/32", "10.1.2.4"));
        assert!(has("10.1.2.3", "10.1.2.3"));
        assert!(has("10.0.0.0/31", "10.0.0.1"));
        assert!(!has("10.0.0.0/31", "10.0.0.2"));
    }

    #[test]
    fn ipv6_blocks() {
        assert!(has("2001:db8::/32", "2001:db8:ffff::1"));
        assert!(!has("2001:db8::/32", "2001:db9::1"));
        assert!(has("::/0", "::1"));
        assert!(has("2001:DB8::1/128", "2001:db8::1"));
        assert!(!has("2001:db8::1/128", "2001:db8::2"));
        assert!(has("2001:db8::1", "2001:db8::1"));
        assert!(has("fe80::/10", "febf::1"));
        assert!(!has("fe80::/10", "fec0::1"));
    }

    #[test]
    fn families_do_not_mix_except_mapped_ipv4() {
        assert!(!has("0.0.0.0/0", "::1"));
        assert!(!has("::/0", "10.0.0.1"));
        assert!(has("192.0.2.0/24", "::ffff:192.0.2.9"));
        assert!(!has("192.0.2.0/24", "::ffff:192.0.3.9"));
        // A mapped address still matches an IPv6 block written for it.
        assert!(has("::ffff:0:0/96", "::ffff:192.0.2.9"));
    }

    #[test]
    fn refuses_bad_blocks() {
        for bad in [
            "",
            "/24",
            "192.0.2.0/",
            "192.0.2.0/33",
            "2001:db8::/129",
            "192.0.2.0/-1",
            "192.0.2.0/+8",
            "192.0.2/24",
            "192.0.2.0/24/1",
            "192.0.2.0 /24",
            "01.2.3.4",
            "example.com",
            "192.0.2.0/0024",
        ] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
        assert!(Cidr::parse("192.0.2.0/33").unwrap_err().contains("over 32"));
    }
}
