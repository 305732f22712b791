//! Where a webhook may be sent (the SSRF guard): an `https` URL whose host
//! resolves only to public addresses; `http` and private, loopback or
//! link-local addresses only for the hosts in `SHOUHU_WEBHOOK_ALLOW_HOSTS`.
//!
//! The rule is checked when a subscription is made or its URL changed (422
//! `url_not_allowed`), again before each delivery, and a third time when the
//! connection is made: deliveries resolve names through [`GuardedResolver`],
//! which refuses the same addresses, so a name that changes its answer
//! between the check and the connection (DNS rebinding) still cannot reach
//! inside. Redirects are not followed (a 3xx is a failed attempt), so a
//! receiver cannot send a delivery elsewhere either.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use shouhu_domain::webhooks::MAX_URL_CHARS;
use shouhu_domain::{FieldError, Message, msg};
use url::{Host, Url};

/// How long a name may take to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

/// The hosts allowed to be plain `http` or private (lowercase, without brackets).
#[derive(Debug, Clone, Default)]
pub struct AllowHosts(Arc<Vec<String>>);

impl AllowHosts {
    /// From `SHOUHU_WEBHOOK_ALLOW_HOSTS`.
    pub fn new(hosts: &[String]) -> Self {
        Self(Arc::new(
            hosts
                .iter()
                .map(|h| h.trim().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        ))
    }

    fn allows(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        self.0.contains(&host)
    }
}

/// Why a URL is refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// `invalid_format` or `url_not_allowed`.
    pub code: &'static str,
    /// For people.
    pub message: Message,
}

impl Refused {
    fn not_allowed(message: Message) -> Self {
        Self {
            code: "url_not_allowed",
            message,
        }
    }

    /// As the 422's field error.
    pub fn field(self, field: &str) -> FieldError {
        FieldError::new(field, self.code, self.message)
    }
}

/// Whether an address is one a webhook may not reach unless its host is
/// allowed: loopback, private, link-local, shared (CGNAT), unspecified,
/// multicast, broadcast, documentation, benchmarking and reserved ranges, in
/// IPv4, IPv6 and IPv4 written as IPv6.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) carries an IPv4 address.
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return internal_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x2002) // 6to4 relays to IPv4 addresses
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1)
                || s[..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible (deprecated)
        }
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

/// Reads a URL and checks what can be checked without resolving it.
pub fn parse(text: &str, allow: &AllowHosts) -> Result<Url, Refused> {
    let malformed = || Refused {
        code: "invalid_format",
        message: msg!("webhook.url_malformed"),
    };
    if text.len() > MAX_URL_CHARS || text.trim() != text {
        return Err(malformed());
    }
    let url = Url::parse(text).map_err(|_| malformed())?;
    let host = url.host_str().ok_or_else(malformed)?.to_owned();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refused::not_allowed(msg!("webhook.url_credentials")));
    }
    match url.scheme() {
        "https" => {}
        "http" if allow.allows(&host) => {}
        _ => return Err(Refused::not_allowed(msg!("webhook.url_not_https"))),
    }
    if !allow.allows(&host) {
        let literal = match url.host() {
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if literal.is_some_and(is_internal) {
            return Err(Refused::not_allowed(msg!("webhook.url_internal")));
        }
    }
    Ok(url)
}

/// Checks a URL fully: [`parse`], then the addresses its host resolves to.
pub async fn check(text: &str, allow: &AllowHosts) -> Result<Url, Refused> {
    let url = parse(text, allow)?;
    let Some(Host::Domain(name)) = url.host() else {
        return Ok(url);
    };
    if allow.allows(name) {
        return Ok(url);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    resolve_public(name, port).await.map_err(Refused::not_allowed)?;
    Ok(url)
}

/// The addresses of `name`, if it resolves and every one of them is public.
async fn resolve_public(name: &str, port: u16) -> Result<Vec<SocketAddr>, Message> {
    let addrs: Vec<SocketAddr> = match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((name, port))).await
    {
        Ok(Ok(addrs)) => addrs.collect(),
        _ => return Err(msg!("webhook.url_unresolved")),
    };
    if addrs.is_empty() {
        return Err(msg!("webhook.url_unresolved"));
    }
    if addrs.iter().any(|a| is_internal(a.ip())) {
        return Err(msg!("webhook.url_internal"));
    }
    Ok(addrs)
}

/// The name resolver of deliveries: an allowed host resolves as it is; any
/// other name must resolve to public addresses only.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    /// The allowed hosts.
    pub allow: AllowHosts,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = if allow.allows(&host) {
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect()
            } else {
                resolve_public(&host, 0)
                    .await
                    .map_err(|_| -> Box<dyn std::error::Error + Send + Sync> { "url_not_allowed".into() })?
            };
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised_in_every_spelling() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2001:db8::1",
        ] {
            assert!(is_internal(ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))), "{ip}");
        }
        for ip in ["8.8.8.8", "114.114.114.114", "2400:3200::1", "1.1.1.1"] {
            assert!(!is_internal(ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))), "{ip}");
        }
    }

    #[test]
    fn only_https_to_public_addresses_unless_the_host_is_allowed() {
        let none = AllowHosts::default();
        let local = AllowHosts::new(&["127.0.0.1".to_owned(), "Hooks.Internal".to_owned()]);
        let code = |u: &str, a: &AllowHosts| parse(u, a).err().map(|r| r.code);
        assert_eq!(code("https://8.8.8.8/hook", &none), None);
        assert_eq!(code("http://8.8.8.8/hook", &none), Some("url_not_allowed"));
        assert_eq!(code("https://127.0.0.1/hook", &none), Some("url_not_allowed"));
        assert_eq!(code("https://[::ffff:7f00:1]/", &none), Some("url_not_allowed"));
        assert_eq!(code("https://2130706433/", &none), Some("url_not_allowed"));
        assert_eq!(code("https://0x7f.1/", &none), Some("url_not_allowed"));
        assert_eq!(code("https://user:pw@8.8.8.8/", &none), Some("url_not_allowed"));
        assert_eq!(code("ftp://8.8.8.8/", &none), Some("url_not_allowed"));
        assert_eq!(code("not a url", &none), Some("invalid_format"));
        assert_eq!(code("http://127.0.0.1:9/hook", &local), None);
        assert_eq!(code("http://hooks.internal/hook", &local), None);
        assert_eq!(code("http://127.0.0.2/hook", &local), Some("url_not_allowed"));
    }
}
