//! Rate limits: requests per token subject, and login attempts per user name
//! and source address and per source address. Counters live in each
//! replica's memory (a client spread over N replicas gets at most N times the
//! limit); the slowing down of failed logins, which must hold everywhere,
//! lives in the database.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

type Keyed = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// What a limiter decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead; so many more requests fit in the current burst.
    Allowed {
        /// Requests allowed per minute.
        limit: u32,
        /// Requests left before the limit bites.
        remaining: u32,
    },
    /// Too many: retry after this many seconds.
    Limited {
        /// Requests allowed per minute.
        limit: u32,
        /// Seconds to wait.
        retry_after: u64,
    },
}

/// The server's limiters.
pub struct Limiters {
    requests: Option<(Keyed, u32)>,
    login_user: (Keyed, u32),
    login_addr: (Keyed, u32),
}

fn keyed(per_minute: NonZeroU32) -> Keyed {
    RateLimiter::keyed(Quota::per_minute(per_minute)).with_middleware::<StateInformationMiddleware>()
}

fn check(limiter: &(Keyed, u32), key: &str) -> Decision {
    let (limiter, limit) = limiter;
    match limiter.check_key(&key.to_owned()) {
        Ok(state) => Decision::Allowed {
            limit: *limit,
            remaining: state.remaining_burst_capacity(),
        },
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Decision::Limited {
                limit: *limit,
                retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        }
    }
}

impl Limiters {
    /// Limiters for `requests_per_minute` per subject (0: none) and the login limits.
    pub fn new(requests_per_minute: u32, logins_per_user: u32, logins_per_address: u32) -> Self {
        let one = NonZeroU32::MIN;
        Self {
            requests: NonZeroU32::new(requests_per_minute).map(|n| (keyed(n), n.get())),
            login_user: (
                keyed(NonZeroU32::new(logins_per_user).unwrap_or(one)),
                logins_per_user.max(1),
            ),
            login_addr: (
                keyed(NonZeroU32::new(logins_per_address).unwrap_or(one)),
                logins_per_address.max(1),
            ),
        }
    }

    /// Counts one request by `subject`.
    pub fn request(&self, subject: &str) -> Option<Decision> {
        self.requests.as_ref().map(|l| check(l, subject))
    }

    /// Counts one login attempt for `username` from `address`; the stricter
    /// answer wins. The name counts only with its address, so that attempts
    /// from elsewhere never keep a user out.
    pub fn login(&self, username: &str, address: &str) -> Decision {
        let by_user = check(&self.login_user, &format!("{}\n{address}", username.to_lowercase()));
        let by_addr = check(&self.login_addr, address);
        match (by_user, by_addr) {
            (Decision::Limited { .. }, _) => by_user,
            (_, Decision::Limited { .. }) => by_addr,
            _ => by_user,
        }
    }

    /// Forgets idle keys so that memory stays bounded.
    pub fn forget_idle(&self) {
        for (l, _) in self.requests.iter().chain([&self.login_user, &self.login_addr]) {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// How often idle keys are forgotten.
pub const FORGET_INTERVAL: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_over_its_budget_is_told_when_to_retry() {
        let l = Limiters::new(3, 2, 100);
        for remaining in [2, 1, 0] {
            assert_eq!(l.request("a"), Some(Decision::Allowed { limit: 3, remaining }));
        }
        assert!(
            matches!(l.request("a"), Some(Decision::Limited { limit: 3, retry_after }) if (1..=20).contains(&retry_after))
        );
        assert!(matches!(l.request("b"), Some(Decision::Allowed { .. })));
        assert!(matches!(l.login("Wang", "1.2.3.4"), Decision::Allowed { .. }));
        assert!(matches!(l.login("wang", "1.2.3.4"), Decision::Allowed { .. }));
        assert!(matches!(l.login("WANG", "1.2.3.4"), Decision::Limited { .. }));
        assert!(matches!(l.login("wang", "5.6.7.8"), Decision::Allowed { .. }));
        assert_eq!(Limiters::new(0, 1, 1).request("a"), None);
    }
}
