//! The shared conformance kit, run against `rayon-default`.
//!
//! Every `rayon-default` fetcher shares rayon's one global pool, and the
//! test harness runs tests in parallel: one test's titles would take pool
//! threads from another's, and a check of the requests in flight would
//! see fewer than the pool's size. So the fetcher under test here takes a
//! lock for each call, as a program has only its own calls on the pool.

use std::sync::Mutex;

use wikifetch_core::{Config, FetchResult, Fetcher, Progress, SetupError};
use wikifetch_rayon::RayonDefault;

static ONE_CALL_AT_A_TIME: Mutex<()> = Mutex::new(());

struct Alone(RayonDefault);

impl Fetcher for Alone {
    fn new(config: &Config) -> Result<Self, SetupError> {
        RayonDefault::new(config).map(Self)
    }

    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn max_in_flight(&self) -> usize {
        self.0.max_in_flight()
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        let _alone = ONE_CALL_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        self.0.fetch_all(titles, progress)
    }
}

wikifetch_testkit::conformance_tests!(Alone);

#[test]
fn the_global_pool_caps_requests_in_flight_at_its_size() {
    let f = Alone::new(&Config::for_api("http://127.0.0.1:9/w/api.php")).unwrap();
    assert_eq!(f.max_in_flight(), rayon::current_num_threads());
}
