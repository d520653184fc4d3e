//! Operating-system limits that a concurrency needs, checked and raised
//! before anything is sent, so a run fails at once with a clear message
//! instead of half way with "too many open files".

use crate::{Config, SetupError};

/// File descriptors a process needs beyond one per connection: standard
/// streams, the runtime's epoll and wake-up pipes, a local mock's sockets.
pub const SPARE_FILES: u64 = 64;

/// Validates `config` and makes sure the process may open a socket for
/// every request in flight. Every strategy calls it in its constructor.
pub fn prepare(config: &Config) -> Result<(), SetupError> {
    config.validate()?;
    ensure_open_files(config.concurrency as u64 + SPARE_FILES)
}

/// Raises the soft limit on open files (`RLIMIT_NOFILE`) towards the hard
/// limit if fewer than `needed` are allowed; fails, naming the limit and
/// how to raise it, if even the hard limit is too low.
pub fn ensure_open_files(needed: u64) -> Result<(), SetupError> {
    match rlimit::increase_nofile_limit(needed) {
        Ok(allowed) if allowed >= needed => Ok(()),
        Ok(allowed) => Err(SetupError::Limit(format!(
            "this concurrency needs about {needed} open files (one socket per request in flight, \
             plus {SPARE_FILES}), but the open-files limit (RLIMIT_NOFILE) is {allowed} and its hard \
             limit allows no more; lower --concurrency, or raise the limit (`ulimit -Hn` shows it; \
             `ulimit -n {needed}` as root, or /etc/security/limits.conf)"
        ))),
        Err(e) => Err(SetupError::Limit(format!(
            "could not read or raise the open-files limit (RLIMIT_NOFILE): {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_modest_need_is_met() {
        assert_eq!(ensure_open_files(100), Ok(()));
        assert!(prepare(&Config::default()).is_ok());
    }

    #[test]
    fn an_impossible_need_names_the_limit() {
        let Ok((_, hard)) = rlimit::getrlimit(rlimit::Resource::NOFILE) else {
            return;
        };
        if hard == rlimit::INFINITY {
            return; // nothing is impossible here
        }
        let err = ensure_open_files(hard + 1).unwrap_err().to_string();
        assert!(
            err.contains("RLIMIT_NOFILE") && err.contains("--concurrency"),
            "{err}"
        );
    }

    /// A concurrency of C needs C sockets and [`SPARE_FILES`] more: exactly
    /// that many open files are allowed, one more is refused.
    #[test]
    fn prepare_needs_one_file_per_request_in_flight_and_the_spare() {
        let Ok((_, hard)) = rlimit::getrlimit(rlimit::Resource::NOFILE) else {
            return;
        };
        if hard == rlimit::INFINITY || hard <= SPARE_FILES {
            return; // no limit to meet here
        }
        let with = |concurrency: u64| Config {
            concurrency: usize::try_from(concurrency).unwrap(),
            ..Config::default()
        };
        assert_eq!(prepare(&with(hard - SPARE_FILES)), Ok(()));
        assert!(matches!(
            prepare(&with(hard - SPARE_FILES + 1)),
            Err(SetupError::Limit(_))
        ));
    }

    #[test]
    fn prepare_validates_first() {
        let c = Config {
            concurrency: 0,
            ..Config::default()
        };
        assert!(matches!(prepare(&c), Err(SetupError::Config(_))));
    }
}
