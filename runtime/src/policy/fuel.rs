//! Fuel is the instrumentation's counter: both engines read what is left from the same
//! export after the run, and report what was used against the limit compiled in.

/// Fuel used, from the limit and what the counter says is left (`None`: the counter could
/// not be read, as when instantiation failed before the guest ran: nothing was used).
pub(crate) fn fuel_used(limit: u64, remaining: Option<u64>) -> u64 {
    limit.saturating_sub(remaining.unwrap_or(limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unread_counter_means_nothing_was_used() {
        assert_eq!(fuel_used(100, None), 0);
        assert_eq!(fuel_used(100, Some(40)), 60);
    }
}
