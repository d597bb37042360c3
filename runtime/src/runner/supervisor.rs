//! Runs one job on a runner isolate (made from the startup snapshot), on a thread of known
//! stack size, watched from the calling thread. Runner threads are kept between jobs with
//! their isolate (`Worker`): after a job's answer has gone out, a job that ended without a
//! termination request or a guard firing has its isolate reset (a fresh context, a full
//! collection: `RunnerIsolate::reset`, unless the job grew the young generation), any other
//! has it replaced by a new one, both off the caller's path; the next job of the same
//! settings finds it ready.
//!
//! The watchdog is what turns "V8 is stuck" into an answer: at the deadline it requests
//! termination; once the heap guard or the deadline has requested termination it keeps
//! requesting it; and if termination has not landed within the grace period it reports
//! `termination_lost` and abandons the thread (a thread cannot be killed; a caller that
//! must reclaim it runs the job in a child process).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::js::Scripts;
use super::session::Session;
use super::watch::Watch;
use crate::isolate::RunnerIsolate;
use crate::limits::runner::RUNNER_THREAD_STACK_BYTES;
use crate::limits::RunnerLimits;
use crate::report::{Failure, PhaseReport, RunnerError};

/// How often the watchdog looks at a running job.
const WATCH_TICK: Duration = Duration::from_millis(5);

type JobResult<T> = Result<(T, Vec<PhaseReport>), Failure>;

/// What a runner thread is told, in this order for each job: the job (given the thread's
/// isolate, handing it back), then, once the watchdog has stopped watching, what becomes of
/// the isolate.
enum Command {
    Job(Box<dyn FnOnce(RunnerIsolate) -> RunnerIsolate + Send>),
    /// Nothing was terminated and the guard did not fire: reset the isolate for the next job.
    Reuse,
    /// A termination was requested or the guard raised the heap limit: state a reset cannot
    /// undo, so the isolate is disposed of and a new one made.
    Renew,
}

/// The settings an isolate is made with: a worker serves a job only if they match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IsolateKey {
    heap_limit_bytes: usize,
    stack_bytes: Option<u64>,
    scripts: Scripts,
}

/// A runner thread with its isolate, between jobs.
struct Worker {
    key: IsolateKey,
    commands: mpsc::Sender<Command>,
    /// Set once the isolate is made, reset or replaced; cleared when a job arrives.
    ready: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

/// Workers waiting for a job, oldest first.
static IDLE: Mutex<Vec<Worker>> = Mutex::new(Vec::new());

/// Starts a runner thread that makes its isolate at once and then serves jobs until its
/// sender is dropped.
fn spawn_worker(key: IsolateKey, snapshot: &'static [u8]) -> std::io::Result<Worker> {
    let (commands, received) = mpsc::channel::<Command>();
    let make = move || RunnerIsolate::new(key.heap_limit_bytes, key.stack_bytes, snapshot);
    let ready = Arc::new(AtomicBool::new(false));
    let ready_here = Arc::clone(&ready);
    let thread = std::thread::Builder::new().name("wasm-runner".into()).stack_size(RUNNER_THREAD_STACK_BYTES).spawn(
        move || {
            let mut isolate = make();
            loop {
                ready_here.store(true, Ordering::SeqCst);
                let Ok(Command::Job(job)) = received.recv() else { return };
                ready_here.store(false, Ordering::SeqCst);
                isolate = job(isolate);
                let reused = match received.recv() {
                    Ok(Command::Reuse) => isolate.reset(),
                    Ok(Command::Renew) => false,
                    _ => return,
                };
                if !reused {
                    drop(isolate);
                    isolate = make();
                }
            }
        },
    )?;
    Ok(Worker { key, commands, ready, thread })
}

/// An idle worker for `key` that is ready; else a new one, while fewer than two wait for
/// `key` (one resets while the other serves); else the one that has waited longest.
fn take_worker(key: IsolateKey, snapshot: &'static [u8]) -> std::io::Result<Worker> {
    let mut idle = IDLE.lock().unwrap_or_else(|p| p.into_inner());
    let fitting: Vec<usize> = (0..idle.len()).filter(|&i| idle[i].key == key).collect();
    let ready = fitting.iter().copied().find(|&i| idle[i].ready.load(Ordering::SeqCst));
    match ready.or_else(|| (fitting.len() >= 2).then(|| fitting[0])) {
        Some(i) => Ok(idle.remove(i)),
        None => {
            drop(idle);
            spawn_worker(key, snapshot)
        }
    }
}

/// How many workers wait between jobs: enough for one job per core, with room for a few
/// settings at once (tests and the stress job mix heap caps and stacks).
fn most_idle() -> usize {
    2 * crate::process::cores().max(2)
}

/// Puts a worker back once its job has been answered; the oldest worker goes when too many
/// wait.
fn keep_worker(worker: Worker) {
    let mut idle = IDLE.lock().unwrap_or_else(|p| p.into_inner());
    idle.push(worker);
    if idle.len() > most_idle() {
        let oldest = idle.remove(0);
        drop(idle);
        // Its thread ends, disposing of its isolate, once it sees its sender gone.
        drop(oldest.commands);
        settle(oldest.thread);
    }
}

/// Waits (up to `limit`) until every waiting worker has finished resetting or replacing its
/// isolate; false if one has not. For tests that count isolates.
pub(crate) fn wait_for_idle_workers(limit: Duration) -> bool {
    let until = Instant::now() + limit;
    loop {
        let pending = IDLE.lock().unwrap_or_else(|p| p.into_inner()).iter().any(|w| !w.ready.load(Ordering::SeqCst));
        if !pending {
            return true;
        }
        if Instant::now() > until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runner threads disposing of their isolate.
static DISPOSING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Keeps `worker` until its isolate is disposed, without waiting for it; waits only when more
/// isolates than cores are being disposed at once, so a stream of jobs cannot pile them up.
fn settle(worker: JoinHandle<()>) {
    let most = crate::process::cores().max(2);
    let mut disposing = DISPOSING.lock().unwrap_or_else(|p| p.into_inner());
    disposing.retain(|h| !h.is_finished());
    disposing.push(worker);
    while disposing.len() > most {
        let _ = disposing.remove(0).join();
    }
}

/// Runs `job` on an isolate nothing of an earlier job reaches, made from the snapshot that
/// holds `scripts`. `stack_bytes` bounds the JS and wasm stack of the job.
pub(crate) fn supervise<T, F>(limits: &RunnerLimits, stack_bytes: Option<u64>, scripts: Scripts, job: F) -> JobResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Session) -> Result<T, RunnerError> + Send + 'static,
{
    let snapshot = super::js::snapshot(scripts)?;
    let watch = Arc::new(Watch::new(limits.warmup_timeout));
    let (tx, rx) = mpsc::channel::<JobResult<T>>();
    let worker_watch = Arc::clone(&watch);
    let key = IsolateKey { heap_limit_bytes: limits.heap_limit_bytes, stack_bytes, scripts };
    let start = Command::Job(Box::new(move |isolate: RunnerIsolate| {
        worker_watch.set_isolate(isolate.terminator(), isolate.guard(), isolate.interrupt());
        let mut session = Session::new(isolate, worker_watch, scripts);
        let result = job(&mut session);
        let phases = session.take_phases();
        let _ = tx.send(match result {
            Ok(value) => Ok((value, phases)),
            Err(error) => Err(Failure { error, phases }),
        });
        session.into_isolate()
    }));
    let worker = match take_worker(key, snapshot) {
        Ok(worker) if worker.commands.send(start).is_ok() => worker,
        Ok(_) => return Err(RunnerError::Internal { message: "a runner thread ended before its job".into() }.into()),
        Err(e) => return Err(RunnerError::Internal { message: format!("could not start a runner thread: {e}") }.into()),
    };

    let mut termination_requested: Option<(Instant, &'static str)> = None;
    loop {
        match rx.recv_timeout(WATCH_TICK) {
            Ok(result) => {
                // The watchdog has stopped: nothing terminates the isolate from here on.
                let clean =
                    termination_requested.is_none() && watch.isolate().is_none_or(|(_, g, _)| g.fired().is_none());
                let verdict = if clean { Command::Reuse } else { Command::Renew };
                if worker.commands.send(verdict).is_ok() {
                    keep_worker(worker);
                }
                return result;
            }
            Err(RecvTimeoutError::Disconnected) => {
                let message = match worker.thread.join() {
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
