//! The wall-time deadline inside `poll_oneoff`: a sleep there blocks the thread where epoch
//! interruption cannot reach it.

use std::time::{Duration, Instant};

use wasmtime::{Caller, Linker, Trap};

use super::call::wasi;
use super::{HasShims, MODULE};

/// Replaces `poll_oneoff`.
pub(super) fn install<T: HasShims + Send + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    linker.func_wrap(
        MODULE,
        "poll_oneoff",
        |mut caller: Caller<'_, T>, subs: i32, events: i32, count: i32, written: i32| -> wasmtime::Result<i32> {
            let deadline = caller.data_mut().shims().deadline;
            if let (Some(deadline), Some(sleep)) = (deadline, pure_sleep(&mut caller, subs, count)) {
                let left = deadline.saturating_duration_since(Instant::now());
                if sleep > left {
                    // The guest asks to sleep past its deadline: it sleeps until the
                    // deadline and is stopped there, as the watchdog stops guest code.
                    std::thread::sleep(left);
                    return Err(Trap::Interrupt.into());
                }
            }
            wasi!(&mut caller, poll_oneoff(subs, events, count, written))
        },
    )?;
    Ok(())
}

/// How long a `poll_oneoff` call waits when it only waits: every subscription a relative
/// clock (the earliest decides). `None` for anything else, or memory the call cannot read
/// (wasmtime-wasi itself then answers it).
fn pure_sleep<T>(caller: &mut Caller<'_, T>, subs: i32, count: i32) -> Option<Duration> {
    const SUBSCRIPTION_SIZE: usize = 48;
    const CLOCK_TAG: u8 = 0;
    const ABSTIME: u16 = 1;
    let (subs, count) = (subs as u32 as usize, count as u32 as usize);
    if count == 0 || count > 1024 {
        return None;
    }
    let memory = super::guest::memory(caller)?;
    let mut bytes = vec![0u8; count * SUBSCRIPTION_SIZE];
    memory.read(&*caller, subs, &mut bytes)?;
    let mut earliest = u64::MAX;
    for sub in bytes.chunks_exact(SUBSCRIPTION_SIZE) {
        let flags = u16::from_le_bytes([sub[40], sub[41]]);
        if sub[8] != CLOCK_TAG || flags & ABSTIME != 0 {
            return None;
        }
        let timeout = u64::from_le_bytes(sub[24..32].try_into().ok()?);
        earliest = earliest.min(timeout);
    }
    Some(Duration::from_nanos(earliest))
}
