//! A headless Chromium driven over WebDriver (chromedriver, fantoccini), started once
//! per test run.
//!
//! Launched with the flags that work on the project's machines (docs/testing.md), a
//! fresh profile directory, and the browser's console log on, which every test reads
//! after it ran: a line at level SEVERE (an uncaught exception, `console.error`, a
//! resource that failed to load or a Content-Security-Policy violation) fails it.

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The launch flags (a new empty --user-data-dir is added).
pub const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
];

/// How long one browser step may take before the test fails instead of hanging.
const STEP: Duration = Duration::from_secs(60);

pub struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    _profile: tempfile::TempDir,
    pub shots: PathBuf,
}

/// Why no browser could be started.
pub enum Unavailable {
    /// Not installed: skipped locally, a failure in CI.
    Missing(String),
    /// Installed but not working: always a failure.
    Broken(String),
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn free_port() -> std::io::Result<u16> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(l.local_addr()?.port())
}

/// `GET` the browser's console log (a chromedriver extension that W3C WebDriver lacks).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or("")))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(r#"{"type":"browser"}"#.to_string()),
        )
    }
}

#[derive(Debug, Clone)]
pub struct LogLine {
    pub level: String,
    pub message: String,
}

impl Browser {
    pub fn start(shots: PathBuf) -> Result<Browser, Unavailable> {
        let chromium = std::env::var_os("SEGQL_CHROMIUM")
            .map(PathBuf::from)
            .or_else(|| on_path(&["chromium", "chromium-browser"]));
        let driver = std::env::var_os("SEGQL_CHROMEDRIVER")
            .map(PathBuf::from)
            .or_else(|| on_path(&["chromedriver"]));
        let (Some(chromium), Some(driver_bin)) = (chromium, driver) else {
            return Err(Unavailable::Missing(
                "chromium and chromedriver are not installed (scripts/setup-browser installs them)"
                    .to_string(),
            ));
        };
        let broken = |what: String| Unavailable::Broken(what);
        std::fs::create_dir_all(&shots)
            .map_err(|e| broken(format!("cannot create {}: {e}", shots.display())))?;
        let port = free_port().map_err(|e| broken(format!("no free port: {e}")))?;
        let mut driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| broken(format!("cannot start {}: {e}", driver_bin.display())))?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let t0 = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if t0.elapsed() > Duration::from_secs(20) {
                let _ = driver.kill();
                let _ = driver.wait();
                return Err(broken(format!(
                    "chromedriver did not listen on {addr} within 20 s"
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().map_err(|e| broken(format!("no temp dir: {e}")))?;
        let mut args: Vec<String> = FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let caps = serde_json::json!({
            "goog:chromeOptions": { "binary": chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!("a JSON object literal"),
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| broken(format!("no async runtime: {e}")))?;
        let url = format!("http://{addr}/");
        let client = rt.block_on(async {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            tokio::time::timeout(
                STEP,
                ClientBuilder::new(connector)
                    .capabilities(caps)
                    .connect(&url),
            )
            .await
        });
        let client = match client {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                let _ = driver.kill();
                let _ = driver.wait();
                return Err(broken(format!("cannot start a Chromium session: {e}")));
            }
            Err(_) => {
                let _ = driver.kill();
                let _ = driver.wait();
                return Err(broken("starting a Chromium session took over 60 s".into()));
            }
        };
        Ok(Browser {
            rt,
            client: Some(client),
            driver,
            _profile: profile,
            shots,
        })
    }

    pub fn client(&self) -> &Client {
        self.client
            .as_ref()
            .expect("the session is open until shutdown")
    }

    /// Runs one browser step, failing after a minute instead of hanging.
    pub fn run<T, E: std::fmt::Display>(
        &self,
        what: &str,
        f: impl Future<Output = Result<T, E>>,
    ) -> Result<T, String> {
        match self
            .rt
            .block_on(async { tokio::time::timeout(STEP, f).await })
        {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(format!("{what}: {e}")),
            Err(_) => Err(format!("{what}: no answer within {} s", STEP.as_secs())),
        }
    }

    /// The console lines since the last call.
    pub fn console(&self) -> Result<Vec<LogLine>, String> {
        let v = self.run("reading the console", self.client().issue_cmd(BrowserLog))?;
        let lines = v.as_array().cloned().unwrap_or_default();
        Ok(lines
            .into_iter()
            .map(|l| LogLine {
                level: l["level"].as_str().unwrap_or("").to_string(),
                message: l["message"].as_str().unwrap_or("").to_string(),
            })
            .collect())
    }

    /// Saves a screenshot as `NAME.png` in the artifacts directory.
    pub fn screenshot(&self, name: &str) -> Result<PathBuf, String> {
        let png = self.run("taking a screenshot", self.client().screenshot())?;
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }

    /// Ends the session (chromedriver then closes Chromium), then chromedriver.
    pub fn shutdown(mut self) {
        self.close();
    }

    fn close(&mut self) {
        if let Some(c) = self.client.take() {
            let _ = self
                .rt
                .block_on(async { tokio::time::timeout(Duration::from_secs(20), c.close()).await });
        }
        if let Ok(None) = self.driver.try_wait() {
            let _ = self.driver.kill();
            let _ = self.driver.wait();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Also after a panic: killing chromedriver alone would leave Chromium running.
        self.close();
    }
}

/// True in CI (CI set, and not `false` or `0`): a missing browser fails there.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The `file://` URL of a path.
pub fn file_url(p: &Path) -> String {
    url::Url::from_file_path(p)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| format!("file://{}", p.display()))
}
