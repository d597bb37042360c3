//! The wall-time deadline inside `poll_oneoff`: a sleep there blocks the thread where epoch
//! interruption cannot reach it.

use std::time::Duration;

use wasmtime::Caller;

/// How long a `poll_oneoff` call waits when it only waits: every subscription a relative
/// clock (the earliest decides). `None` for anything else, or memory the call cannot read
/// (wasmtime-wasi itself then answers it).
pub(super) fn pure_sleep<T>(caller: &mut Caller<'_, T>, subs: i32, count: i32) -> Option<Duration> {
    const SUBSCRIPTION_SIZE: usize = 48;
    const CLOCK_TAG: u8 = 0;
    const ABSTIME: u16 = 1;
    let (subs, count) = (subs as u32 as usize, count as u32 as usize);
    if count == 0 || count > 1024 {
        return None;
    }
    let memory = caller.get_export("memory")?.into_memory()?;
    let mut bytes = vec![0u8; count * SUBSCRIPTION_SIZE];
    memory.read(&*caller, subs, &mut bytes).ok()?;
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
