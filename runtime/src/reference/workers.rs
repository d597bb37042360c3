//! The threads reference runs run on. wasmtime runs guest code (and Cranelift its compile)
//! on the calling thread's stack, so a run needs a thread with the runner's stack. Making one
//! for each run cost a fuzzer's small run the thread's creation, wasmtime's per-thread signal
//! stack and the page faults of a fresh stack; threads are kept between runs instead.

use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Mutex};

use crate::limits::runner::RUNNER_THREAD_STACK_BYTES;

type Job = Box<dyn FnOnce() + Send>;

/// Idle threads, each waiting for its next job.
pub(super) struct Workers {
    idle: Mutex<Vec<mpsc::Sender<Job>>>,
    /// Idle threads kept at most; past it a thread ends after its job.
    kept: usize,
}

/// Concurrent reference runs beyond this many make threads that end after their run.
const KEPT: usize = 4;

/// The reference's threads.
pub(super) static WORKERS: Workers = Workers::new(KEPT);

impl Workers {
    pub(super) const fn new(kept: usize) -> Workers {
        Workers { idle: Mutex::new(Vec::new()), kept }
    }

    /// Runs `job` on an idle thread, or a new one; `Err` says why it did not return (the
    /// thread could not start, or the job panicked: that thread is not kept).
    pub(super) fn run<R: Send + 'static>(&self, job: impl FnOnce() -> R + Send + 'static) -> Result<R, String> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let worker = match idle {
            Some(worker) => worker,
            None => spawn()?,
        };
        let (done, result) = mpsc::sync_channel(1);
        let job: Job = Box::new(move || {
            let _ = done.send(job());
        });
        // A kept thread only ends by a job's panic, after which it is not kept: it is there.
        worker.send(job).map_err(|_| "the wasmtime thread ended".to_string())?;
        let returned = result.recv().map_err(|_| "the wasmtime thread panicked".to_string())?;
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.kept {
            idle.push(worker);
        }
        Ok(returned)
    }

    #[cfg(test)]
    fn idle(&self) -> usize {
        self.idle.lock().unwrap().len()
    }
}

/// A thread with the runner's stack, running jobs until its sender is dropped or a job panics.
fn spawn() -> Result<mpsc::Sender<Job>, String> {
    let (jobs, next) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("wasmtime-reference".into())
        .stack_size(RUNNER_THREAD_STACK_BYTES)
        .spawn(move || {
            for job in next {
                if std::panic::catch_unwind(AssertUnwindSafe(job)).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| format!("could not start a wasmtime thread: {e}"))?;
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Barrier};
    use std::thread;

    use super::*;

    #[test]
    fn runs_one_after_another_share_one_thread() {
        let workers = Workers::new(KEPT);
        let first = workers.run(|| thread::current().id()).unwrap();
        assert_eq!(workers.run(|| thread::current().id()).unwrap(), first);
    }

    #[test]
    fn a_job_runs_on_a_thread_of_the_runners_stack_not_the_callers() {
        let workers = Workers::new(KEPT);
        let name = workers.run(|| thread::current().name().map(str::to_string)).unwrap();
        assert_eq!(name.as_deref(), Some("wasmtime-reference"));
        assert_ne!(workers.run(|| thread::current().id()).unwrap(), thread::current().id());
    }

    #[test]
    fn a_job_that_panics_is_an_error_and_its_thread_is_not_kept() {
        let workers = Workers::new(KEPT);
        let before = workers.run(|| thread::current().id()).unwrap();
        let panicked = workers.run(|| -> () { panic!("a job's panic, on purpose") });
        assert_eq!(panicked, Err("the wasmtime thread panicked".to_string()));
        assert_eq!(workers.idle(), 0, "the panicked thread was kept");
        assert_ne!(workers.run(|| thread::current().id()).unwrap(), before);
    }

    #[test]
    fn threads_beyond_the_kept_number_end_after_their_jobs() {
        let workers = Arc::new(Workers::new(2));
        let together = 5;
        let barrier = Arc::new(Barrier::new(together));
        let callers: Vec<_> = (0..together)
            .map(|_| {
                let (workers, barrier) = (Arc::clone(&workers), Arc::clone(&barrier));
                thread::spawn(move || workers.run(move || barrier.wait()).unwrap())
            })
            .collect();
        for caller in callers {
            caller.join().unwrap();
        }
        assert_eq!(workers.idle(), 2);
    }
}
