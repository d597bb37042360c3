//! What a request may carry: its stdin and its argv and environ are held by the host (the
//! strings on the runner heap, in V8), so both are bounded, and both engines refuse a request
//! over either limit before anything runs.

use crate::limits::GuestLimits;
use crate::report::RunnerError;
use crate::request::RunRequest;

/// Bytes of `strings` as WASI hands them over: each NUL-terminated.
fn c_string_bytes(strings: &[String]) -> u64 {
    strings.iter().map(|s| s.len() as u64 + 1).sum()
}

pub(crate) fn check_request(request: &RunRequest, guest: &GuestLimits) -> Result<(), RunnerError> {
    let over = |limit: &str, requested: u64, allowed: u64| {
        (requested > allowed).then(|| RunnerError::GuestLimitRejected { limit: limit.into(), requested, allowed })
    };
    let stdin = over("max_stdin_bytes", request.stdin.len() as u64, guest.max_stdin_bytes);
    let args = c_string_bytes(&request.args) + c_string_bytes(&request.env);
    match stdin.or_else(|| over("max_args_bytes", args, guest.max_args_bytes)) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_and_environ_count_their_terminators() {
        let request = RunRequest { args: vec!["ab".into()], env: vec!["K=V".into()], ..Default::default() };
        let at = GuestLimits { max_args_bytes: 7, ..GuestLimits::default() };
        assert!(check_request(&request, &at).is_ok());
        let under = GuestLimits { max_args_bytes: 6, ..GuestLimits::default() };
        assert!(matches!(check_request(&request, &under), Err(RunnerError::GuestLimitRejected { requested: 7, .. })));
    }
}
