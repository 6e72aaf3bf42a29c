//! The guard in front of every route: a request must name this server in its `Host`
//! (so a DNS-rebound name pointing at 127.0.0.1 is refused), and a request a browser
//! marks with an `Origin` or as cross-site must come from this server's own page (so
//! another site cannot POST to it).

use crate::{error_response, ApiError, AppState, ErrorKind};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// Passes the request on, or answers 403 with the reason.
pub(crate) async fn check(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    match refusal(&st.config.hosts, st.config.ip_hosts_at, &req) {
        Some(why) => error_response(ApiError::new(ErrorKind::Refused, why)),
        None => next.run(req).await,
    }
}

/// Whether `host` (`name:port`) is one this server answers to.
fn own(hosts: &[String], ip_hosts_at: Option<u16>, host: &str) -> bool {
    hosts.iter().any(|ok| ok.eq_ignore_ascii_case(host))
        || ip_hosts_at.is_some_and(|port| {
            host.parse::<std::net::SocketAddr>()
                .is_ok_and(|a| a.port() == port)
        })
}

fn refusal(hosts: &[String], ip_hosts_at: Option<u16>, req: &Request) -> Option<String> {
    let h = req.headers();
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let host = host.or_else(|| req.uri().authority().map(|a| a.as_str()));
    match host {
        None => return Some("the request has no Host header".into()),
        Some(host) if !own(hosts, ip_hosts_at, host) => {
            return Some(format!(
                "this server answers only to {}; the request's Host is {host}",
                hosts.join(", ")
            ))
        }
        Some(_) => {}
    }
    if let Some(origin) = h.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let own = origin
            .strip_prefix("http://")
            .is_some_and(|o| own(hosts, ip_hosts_at, o));
        if !own {
            return Some(format!(
                "requests from other pages are refused (Origin {origin})"
            ));
        }
    }
    if h.get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| s == "cross-site")
    {
        return Some("cross-site requests are refused".into());
    }
    None
}
