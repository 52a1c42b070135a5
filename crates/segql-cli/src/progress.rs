//! A spinner on stderr for work that takes more than a second: `run`'s statements,
//! `test`'s blocks and asserts.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// A spinner on stderr for work that takes more than a second, on a terminal only
/// (never when piped or under CI).
pub struct Progress {
    bar: indicatif::ProgressBar,
    started: Instant,
}

impl Progress {
    pub fn start(message: String) -> Progress {
        let interactive = std::io::stderr().is_terminal() && !segql_run::ci::in_ci();
        let bar = if interactive {
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::hidden(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.set_message(message);
            let shown = bar.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(1));
                if !shown.is_finished() {
                    shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    shown.enable_steady_tick(Duration::from_millis(120));
                }
            });
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        Progress {
            bar,
            started: Instant::now(),
        }
    }

    pub fn finish(self) -> Duration {
        self.bar.finish_and_clear();
        self.started.elapsed()
    }
}
