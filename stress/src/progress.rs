//! Progress: a bar per scenario on a terminal, plain lines otherwise (CI logs).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    scenario: String,
    total: u64,
    done: u64,
}

impl Progress {
    pub fn start(scenario: &str, total: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{prefix:>16} [{bar:30}] {pos}/{len} {elapsed_precise} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_prefix(scenario.to_string());
            bar
        });
        if bar.is_none() {
            eprintln!("[{scenario}] start ({total} steps)");
        }
        Progress { bar, scenario: scenario.to_string(), total, done: 0 }
    }

    /// One step done, with what it was.
    pub fn step(&mut self, message: impl AsRef<str>) {
        self.done += 1;
        match &self.bar {
            Some(bar) => {
                bar.set_message(message.as_ref().to_string());
                bar.inc(1);
            }
            None => eprintln!("[{}] {}/{} {}", self.scenario, self.done, self.total, message.as_ref()),
        }
    }

    pub fn finish(self, verdict: &str) {
        match self.bar {
            Some(bar) => bar.finish_with_message(verdict.to_string()),
            None => eprintln!("[{}] {verdict}", self.scenario),
        }
    }
}
