//! Runs one job on a fresh runner isolate (made from the startup snapshot), on a thread of
//! known stack size, watched from the calling thread. The thread and its isolate are made
//! ahead, while the previous job runs (`Spare`), serve one job each, and dispose of the
//! isolate after the answer has gone out (`settle`).
//!
//! The watchdog is what turns "V8 is stuck" into an answer: at the deadline it requests
//! termination; once the heap guard or the deadline has requested termination it keeps
//! requesting it; and if termination has not landed within the grace period it reports
//! `termination_lost` and abandons the thread (a thread cannot be killed; a caller that
//! must reclaim it runs the job in a child process).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::session::Session;
use super::watch::Watch;
use crate::isolate::RunnerIsolate;
use crate::limits::runner::RUNNER_THREAD_STACK_BYTES;
use crate::limits::RunnerLimits;
use crate::report::{Failure, PhaseReport, RunnerError};

/// How often the watchdog looks at a running job.
const WATCH_TICK: Duration = Duration::from_millis(5);

type JobResult<T> = Result<(T, Vec<PhaseReport>), Failure>;

/// What a runner thread is started with: the job, given the thread's fresh isolate.
type Start = Box<dyn FnOnce(RunnerIsolate) + Send>;

/// The settings an isolate is made with: a spare fits a job only if they match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IsolateKey {
    heap_limit_bytes: usize,
    stack_bytes: Option<u64>,
}

/// A runner thread that has already made its isolate and waits for its one job. Making an
/// isolate is most of a small warmup's cost; a spare made while the previous job runs (on
/// another core) takes it off the next job's path. Each isolate still serves exactly one
/// job, so nothing crosses from one job to the next.
struct Spare {
    key: IsolateKey,
    start: mpsc::Sender<Start>,
    thread: JoinHandle<()>,
}

static SPARE: Mutex<Option<Spare>> = Mutex::new(None);

/// Starts a runner thread that makes its isolate at once and then waits for its job; it
/// ends without one when its sender is dropped.
fn spawn_runner_thread(
    key: IsolateKey,
    snapshot: &'static [u8],
) -> std::io::Result<(mpsc::Sender<Start>, JoinHandle<()>)> {
    let (start, started) = mpsc::channel::<Start>();
    let thread = std::thread::Builder::new().name("wasm-runner".into()).stack_size(RUNNER_THREAD_STACK_BYTES).spawn(
        move || {
            let isolate = RunnerIsolate::new(key.heap_limit_bytes, key.stack_bytes, snapshot);
            if let Ok(job) = started.recv() {
                job(isolate);
            }
        },
    )?;
    Ok((start, thread))
}

/// The spare if it fits `key`; a new spare for `key` is started either way.
fn take_spare_and_refill(key: IsolateKey, snapshot: &'static [u8]) -> Option<(mpsc::Sender<Start>, JoinHandle<()>)> {
    let refill = spawn_runner_thread(key, snapshot).ok().map(|(start, thread)| Spare { key, start, thread });
    let mut spare = SPARE.lock().unwrap_or_else(|p| p.into_inner());
    let taken = std::mem::replace(&mut *spare, refill);
    // A spare of other settings is dropped: its thread ends once its isolate is made.
    taken.filter(|s| s.key == key).map(|s| (s.start, s.thread))
}

/// Runner threads disposing of their isolate after answering.
static DISPOSING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Keeps `worker` until its isolate is disposed, without waiting for it; waits only when more
/// isolates than cores are being disposed at once, so a stream of jobs cannot pile them up.
fn settle(worker: JoinHandle<()>) {
    let most = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut disposing = DISPOSING.lock().unwrap_or_else(|p| p.into_inner());
    disposing.retain(|h| !h.is_finished());
    disposing.push(worker);
    while disposing.len() > most {
        let _ = disposing.remove(0).join();
    }
}

/// Runs `job` on a fresh isolate. `stack_bytes` bounds the JS and wasm stack of the job.
pub(crate) fn supervise<T, F>(limits: &RunnerLimits, stack_bytes: Option<u64>, job: F) -> JobResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Session) -> Result<T, RunnerError> + Send + 'static,
{
    let snapshot = super::js::snapshot()?;
    let watch = Arc::new(Watch::new(limits.warmup_timeout));
    let (tx, rx) = mpsc::channel::<JobResult<T>>();
    let worker_watch = Arc::clone(&watch);
    let key = IsolateKey { heap_limit_bytes: limits.heap_limit_bytes, stack_bytes };
    let thread = match take_spare_and_refill(key, snapshot) {
        Some(spare) => Ok(spare),
        None => spawn_runner_thread(key, snapshot),
    };
    let start: Start = Box::new(move |isolate: RunnerIsolate| {
        worker_watch.set_isolate(isolate.terminator(), isolate.guard(), isolate.interrupt());
        let mut session = Session::new(isolate, worker_watch);
        let result = job(&mut session);
        let phases = session.take_phases();
        let _ = tx.send(match result {
            Ok(value) => Ok((value, phases)),
            Err(error) => Err(Failure { error, phases }),
        });
        // The isolate is disposed after the answer, off the caller's path (`settle`).
        drop(session);
    });
    let worker = match thread {
        Ok((sender, handle)) if sender.send(start).is_ok() => handle,
        Ok(_) => return Err(RunnerError::Internal { message: "a runner thread ended before its job".into() }.into()),
        Err(e) => return Err(RunnerError::Internal { message: format!("could not start a runner thread: {e}") }.into()),
    };

    let mut termination_requested: Option<(Instant, &'static str)> = None;
    loop {
        match rx.recv_timeout(WATCH_TICK) {
            Ok(result) => {
                settle(worker);
                return result;
            }
            Err(RecvTimeoutError::Disconnected) => {
                let message = match worker.join() {
                    Err(panic) => panic_message(&panic),
                    Ok(()) => "the runner thread ended without an answer".to_string(),
                };
                return Err(RunnerError::Internal { message }.into());
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        watch.sample_rss();
        let Some((handle, guard, interrupt)) = watch.isolate() else {
            continue;
        };
        let now = Instant::now();
        if termination_requested.is_none() {
            if let Some((at, _)) = guard.fired() {
                termination_requested = Some((at, "heap_limit"));
            } else if now >= watch.deadline() {
                watch.mark_timed_out();
                termination_requested = Some((now, "timeout"));
            }
        }
        if let Some((since, cause)) = termination_requested {
            handle.terminate_execution();
            // Where TerminateExecution cannot land (a tail-call cycle in optimized code),
            // the instrumentation's interrupt check does.
            interrupt.raise();
            if now.duration_since(since) > limits.termination_grace {
                let phase = watch.phase();
                tracing::error!(phase, cause, "termination did not land; abandoning the runner thread");
                return Err(RunnerError::TerminationLost {
                    phase: phase.to_string(),
                    cause: cause.to_string(),
                    grace_ms: limits.termination_grace.as_millis() as u64,
                }
                .into());
            }
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string());
    format!("the runner thread panicked: {detail}")
}
