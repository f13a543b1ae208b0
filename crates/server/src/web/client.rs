//! 操作端末: who is on the other end of a request (the client's address and user agent),
//! as the 操作履歴 records it and the rate limits count it.
//!
//! The client's address is the connection's peer, unless the peer is one of the
//! configured `trusted_proxies`: then it is the right-most address in `X-Forwarded-For`
//! that is not itself a trusted proxy (everything left of it could be forged by the
//! client). Both are kept: the entry records the client, and the proxy as `peer`.

use std::net::{IpAddr, SocketAddr};

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;

pub use crate::web::proxies::TrustedProxies;

/// The client of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// The client's address.
    pub ip: String,
    /// The trusted proxy that forwarded the request, or empty when the client connected
    /// directly.
    pub peer: String,
    pub user_agent: String,
}

impl ClientInfo {
    /// The operator's command line, for history entries the CLI writes.
    pub fn operator_cli() -> Self {
        Self {
            ip: "localhost".to_owned(),
            peer: String::new(),
            user_agent: "madoguchi CLI".to_owned(),
        }
    }

    /// The server's own work (the host's answers, expiry).
    pub fn system() -> Self {
        Self {
            ip: "localhost".to_owned(),
            peer: String::new(),
            user_agent: "madoguchi".to_owned(),
        }
    }

    pub fn from_parts(parts: &Parts, trusted: &TrustedProxies) -> Self {
        let peer = peer_address(parts);
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(256)
            .collect();
        let Some(peer) = peer else {
            return Self {
                ip: "unknown".to_owned(),
                peer: String::new(),
                user_agent,
            };
        };
        let forwarded = trusted
            .contains(peer)
            .then(|| forwarded_client(parts, trusted))
            .flatten();
        match forwarded {
            Some(client) => Self {
                ip: client.to_string(),
                peer: peer.to_string(),
                user_agent,
            },
            None => Self {
                ip: peer.to_string(),
                peer: String::new(),
                user_agent,
            },
        }
    }
}

/// The address of the connection's other end (a client, or a proxy).
pub fn peer_address(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
        // Tests run the router without a socket and supply the address this way.
        .or_else(|| {
            parts
                .extensions
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|m| m.0)
        })
        .map(|addr| addr.ip())
}

/// The right-most address of `X-Forwarded-For` that is not a trusted proxy.
fn forwarded_client(parts: &Parts, trusted: &TrustedProxies) -> Option<IpAddr> {
    let hops: Vec<IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect::<Option<Vec<_>>>()?;
    hops.into_iter().rev().find(|ip| !trusted.contains(*ip))
}

impl<S> FromRequestParts<S> for ClientInfo
where
    S: Send + Sync,
    TrustedProxies: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts, &TrustedProxies::from_ref(state)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: [u8; 4], xff: Option<&str>) -> Parts {
        let mut builder = Request::get("/");
        if let Some(x) = xff {
            builder = builder.header("x-forwarded-for", x);
        }
        let (mut parts, ()) = builder.body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from((peer, 1234))));
        parts
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let trusted =
            TrustedProxies::parse(&["10.0.0.0/8".to_owned(), "192.0.2.7".to_owned()]).unwrap();
        let direct = ClientInfo::from_parts(&parts([203, 0, 113, 5], Some("1.2.3.4")), &trusted);
        assert_eq!(
            (direct.ip.as_str(), direct.peer.as_str()),
            ("203.0.113.5", ""),
            "an untrusted peer cannot name another client"
        );
        let via = ClientInfo::from_parts(
            &parts([10, 1, 2, 3], Some("6.6.6.6, 198.51.100.9, 192.0.2.7")),
            &trusted,
        );
        assert_eq!(via.ip, "198.51.100.9", "the right-most untrusted hop");
        assert_eq!(via.peer, "10.1.2.3");
        let garbage = ClientInfo::from_parts(&parts([10, 1, 2, 3], Some("x, 1.2.3.4")), &trusted);
        assert_eq!(garbage.ip, "10.1.2.3", "a malformed header names nobody");
        let none = ClientInfo::from_parts(&parts([10, 1, 2, 3], None), &trusted);
        assert_eq!((none.ip.as_str(), none.peer.as_str()), ("10.1.2.3", ""));
    }
}
