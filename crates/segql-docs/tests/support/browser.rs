//! A headless Chromium driven over WebDriver (chromedriver, fantoccini), started once
//! per test run.
//!
//! Launched with the flags that work on the project's machines (docs/testing.md), a
//! fresh profile directory, and the browser's console log on, which every test reads
//! after it ran: a line at level SEVERE (an uncaught exception, `console.error`, a
//! resource that failed to load or a Content-Security-Policy violation) fails it.
//!
//! A browser that stops answering (a step with no answer within a minute) is replaced
//! by a new one, so one stalled Chromium does not fail every test after it; the test
//! it stalled in runs once more, saying so (see `run_one` in tests/browser.rs). So is a
//! new browser that gives no answer to its first page (`Browser::first_page`).

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The launch flags (a new empty --user-data-dir is added). Besides headless: no
/// proxy (every page is on the loopback or on disk), shared memory in files rather than
/// a small /dev/shm, and no throttling of a page the browser thinks is in the background.
pub const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-proxy-server",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
];

/// How long one browser step may take before the test fails instead of hanging.
const STEP: Duration = Duration::from_secs(60);

/// How long the first page of a new browser may take before that browser is taken for
/// stalled and replaced once. It answers in under a second on the project's machines;
/// a Chromium that stalls on its first page (seen once in CI, once here, each on an
/// otherwise idle machine) stays stalled, and a new one answers at once.
const FIRST_TRY: Duration = Duration::from_secs(90);

/// How long the first page of the browser started in its place may take (a cold
/// machine builds caches).
const FIRST_PAGE: Duration = Duration::from_secs(300);

/// One chromedriver and the Chromium session it drives.
struct Session {
    client: Client,
    driver: Child,
    profile: tempfile::TempDir,
}

pub struct Browser {
    rt: tokio::runtime::Runtime,
    session: Mutex<Option<Session>>,
    chromium: PathBuf,
    driver_bin: PathBuf,
    /// Set when a step got no answer in time: the session is then suspect.
    hung: AtomicBool,
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

fn stop_driver(driver: &mut Child) {
    if let Ok(None) = driver.try_wait() {
        let _ = driver.kill();
        let _ = driver.wait();
    }
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
        std::fs::create_dir_all(&shots)
            .map_err(|e| Unavailable::Broken(format!("cannot create {}: {e}", shots.display())))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| Unavailable::Broken(format!("no async runtime: {e}")))?;
        let b = Browser {
            rt,
            session: Mutex::new(None),
            chromium,
            driver_bin,
            hung: AtomicBool::new(false),
            shots,
        };
        let s = b.launch().map_err(Unavailable::Broken)?;
        *b.lock() = Some(s);
        Ok(b)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts chromedriver on a free port and a Chromium session with a new profile.
    fn launch(&self) -> Result<Session, String> {
        let port = free_port().map_err(|e| format!("no free port: {e}"))?;
        let mut driver = Command::new(&self.driver_bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.driver_bin.display()))?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let t0 = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if t0.elapsed() > Duration::from_secs(20) {
                stop_driver(&mut driver);
                return Err(format!("chromedriver did not listen on {addr} within 20 s"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = match tempfile::tempdir() {
            Ok(p) => p,
            Err(e) => {
                stop_driver(&mut driver);
                return Err(format!("no temp dir: {e}"));
            }
        };
        let mut args: Vec<String> = FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let caps = serde_json::json!({
            "goog:chromeOptions": { "binary": self.chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!("a JSON object literal")
        };
        let url = format!("http://{addr}/");
        let client = self.rt.block_on(async {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            tokio::time::timeout(
                STEP,
                ClientBuilder::new(connector)
                    .capabilities(caps)
                    .connect(&url),
            )
            .await
        });
        match client {
            Ok(Ok(client)) => Ok(Session {
                client,
                driver,
                profile,
            }),
            Ok(Err(e)) => {
                stop_driver(&mut driver);
                Err(format!("cannot start a Chromium session: {e}"))
            }
            Err(_) => {
                stop_driver(&mut driver);
                Err(format!(
                    "starting a Chromium session took over {} s",
                    STEP.as_secs()
                ))
            }
        }
    }

    /// Opens `url` in a browser just started, allowing it [`FIRST_TRY`]; a browser that
    /// gives no answer by then is replaced by a new one (said on stderr), which is
    /// allowed [`FIRST_PAGE`]. The first page of a new Chromium is no test's fault. An
    /// answer that is an error is not retried. Returns how long it took in all.
    pub fn first_page(&self, url: &str) -> Result<Duration, String> {
        let t0 = Instant::now();
        if let Some(answer) = self.open_within(url, FIRST_TRY) {
            return answer.map(|()| t0.elapsed());
        }
        eprintln!(
            "opening {url} in a new browser: no answer within {} s; replacing that browser \
             and trying once more",
            FIRST_TRY.as_secs()
        );
        self.close();
        let s = self.launch()?;
        *self.lock() = Some(s);
        match self.open_within(url, FIRST_PAGE) {
            Some(answer) => answer.map(|()| t0.elapsed()),
            None => Err(format!(
                "opening {url} in a new browser: no answer within {} s, nor in the browser \
                 started in its place within {} s",
                FIRST_TRY.as_secs(),
                FIRST_PAGE.as_secs()
            )),
        }
    }

    /// Opens `url`; `None` when the browser gave no answer within `limit`.
    fn open_within(&self, url: &str, limit: Duration) -> Option<Result<(), String>> {
        let client = self.client();
        self.rt
            .block_on(async { tokio::time::timeout(limit, client.goto(url)).await })
            .ok()
            .map(|answer| answer.map_err(|e| format!("opening {url}: {e}")))
    }

    /// A handle to the current session (fantoccini clients are cheap clones).
    pub fn client(&self) -> Client {
        self.lock()
            .as_ref()
            .map(|s| s.client.clone())
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
            Err(_) => {
                self.hung.store(true, Ordering::SeqCst);
                Err(format!("{what}: no answer within {} s", STEP.as_secs()))
            }
        }
    }

    /// Whether a step got no answer since the last call (and clears it).
    pub fn took_hung(&self) -> bool {
        self.hung.swap(false, Ordering::SeqCst)
    }

    /// Ends the session and starts a new browser; for a session that stopped answering.
    /// Returns how long its first page (`url`) took.
    pub fn restart(&self, url: &str) -> Result<Duration, String> {
        self.close();
        let s = self.launch()?;
        *self.lock() = Some(s);
        self.first_page(url)
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
    pub fn shutdown(self) {
        self.close();
    }

    fn close(&self) {
        let Some(mut s) = self.lock().take() else {
            return;
        };
        let _ = self.rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(20), s.client.close()).await
        });
        stop_driver(&mut s.driver);
        kill_browsers_of(s.profile.path());
    }
}

/// Kills what is left of the Chromium processes started with `profile` (a stalled one
/// does not close when asked): every process whose command line names the profile.
fn kill_browsers_of(profile: &Path) {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    let needle = format!("--user-data-dir={}", profile.display());
    for p in procs.flatten() {
        let pid = p.file_name().to_string_lossy().to_string();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(cmd) = std::fs::read(p.path().join("cmdline")) else {
            continue;
        };
        if cmd.split(|&b| b == 0).any(|a| a == needle.as_bytes()) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid])
                .stderr(Stdio::null())
                .status();
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
