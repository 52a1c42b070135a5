//! `segql docs serve`: the site over HTTP on 127.0.0.1 (tiny_http), from memory.
//!
//! Only the loopback address is ever bound. Requests are looked up in the site's file
//! map, so no request can reach a file of the machine; every response forbids scripts,
//! styles and images from anywhere but the site itself (Content-Security-Policy), which
//! is also how the browser tests know that the pages need nothing from the network.

use crate::codes::SERVE_FAILED;
use crate::site::Site;
use crate::Error;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;

/// The policy every page is served with: nothing from outside the site, no inline
/// script or style.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A server answering on its own thread until [`Running::stop`].
pub struct Running {
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
    addr: SocketAddr,
}

impl Running {
    /// Listens on 127.0.0.1:`port` (0: a free port) and serves `site`.
    pub fn start(site: Site, port: u16) -> Result<Running, Error> {
        let want = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let server = tiny_http::Server::http(want).map_err(|e| Error {
            code: SERVE_FAILED,
            message: format!("cannot listen on {want}: {e}"),
            hint: Some(if port == 0 {
                "the loopback interface is not available".to_string()
            } else {
                format!("another program may be using port {port}; choose another with --port, or --port 0 for any free one")
            }),
        })?;
        let addr = server.server_addr().to_ip().unwrap_or(want);
        let server = Arc::new(server);
        let site = Arc::new(site);
        let s = Arc::clone(&server);
        let thread = std::thread::spawn(move || {
            for request in s.incoming_requests() {
                let response = respond(&site, request.method(), request.url());
                // A client that went away is not the server's problem.
                let _ = request.respond(response);
            }
        });
        Ok(Running {
            server,
            thread: Some(thread),
            addr,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Serves until the process ends.
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Stops answering and waits for the serving thread.
    pub fn stop(mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

type Response = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

/// Adds a header (names and values here are ASCII constants, which always parse).
fn with(r: Response, name: &str, value: &str) -> Response {
    match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(h) => r.with_header(h),
        Err(()) => r,
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The response to one request: the file, or 404/405.
pub fn respond(site: &Site, method: &tiny_http::Method, url: &str) -> Response {
    let base = |r: Response, ty: &str| {
        let r = with(r, "Content-Type", ty);
        let r = with(r, "Content-Security-Policy", CSP);
        let r = with(r, "X-Content-Type-Options", "nosniff");
        let r = with(r, "Referrer-Policy", "no-referrer");
        with(r, "Cache-Control", "no-cache")
    };
    if !matches!(method, tiny_http::Method::Get | tiny_http::Method::Head) {
        let r =
            tiny_http::Response::from_data(b"only GET and HEAD\n".to_vec()).with_status_code(405);
        return base(with(r, "Allow", "GET, HEAD"), "text/plain; charset=utf-8");
    }
    let path = site_path(url);
    match path
        .as_deref()
        .and_then(|p| site.files.get(p).map(|b| (p, b)))
    {
        Some((p, bytes)) => base(
            tiny_http::Response::from_data(bytes.clone()),
            content_type(p),
        ),
        None => base(
            tiny_http::Response::from_data(NOT_FOUND.as_bytes().to_vec()).with_status_code(404),
            "text/html; charset=utf-8",
        ),
    }
}

const NOT_FOUND: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head><body><main><h1>Not found</h1><p>No page here. <a href=\"/index.html\">Back to the index</a>.</p></main></body></html>\n";

/// The site path of a request URL: query and fragment dropped, percent-decoded, a
/// directory's `index.html`. `None` when it cannot name a file of the site.
pub fn site_path(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    let mut p = decoded.trim_start_matches('/').to_string();
    if p.is_empty() || p.ends_with('/') {
        p.push_str("index.html");
    }
    Some(p)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_map_to_site_paths() {
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(site_path("/index.html?q=x").as_deref(), Some("index.html"));
        assert_eq!(
            site_path("/segment/-50.aying.html#top").as_deref(),
            Some("segment/-50.aying.html")
        );
        assert_eq!(site_path("/a%20b.html").as_deref(), Some("a b.html"));
        assert_eq!(site_path("/assets/").as_deref(), Some("assets/index.html"));
        assert_eq!(site_path("/%zz"), None);
        assert_eq!(site_path("/%ff"), None);
    }

    #[test]
    fn only_files_of_the_site_are_answered() {
        let mut site = Site::default();
        site.files
            .insert("index.html".into(), b"<p>hi</p>".to_vec());
        let get = tiny_http::Method::Get;
        assert_eq!(respond(&site, &get, "/").status_code().0, 200);
        for url in [
            "/../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/etc/passwd",
            "//etc/passwd",
        ] {
            assert_eq!(respond(&site, &get, url).status_code().0, 404, "{url}");
        }
        assert_eq!(
            respond(&site, &tiny_http::Method::Post, "/")
                .status_code()
                .0,
            405
        );
    }
}
