//! The shared conformance kit, run against the async-std strategy, and a
//! check that no tokio runtime is started behind its back.

wikifetch_testkit::conformance_tests!(wikifetch_async_std::AsyncStd);

#[test]
fn starts_no_tokio_runtime() {
    use wikifetch_core::{Fetcher, NoProgress};
    let mock = wikifetch_testkit::start(wikifetch_mock::MockWiki::builder());
    let fetcher: wikifetch_async_std::AsyncStd =
        wikifetch_testkit::build(&wikifetch_testkit::config_for(&mock, 4));
    let titles: Vec<String> = (0..20).map(|i| format!("T{i}")).collect();
    assert!(
        fetcher
            .fetch_all(&titles, &NoProgress)
            .iter()
            .all(Result::is_ok)
    );
    let names = wikifetch_testkit::thread_names();
    assert!(!names.is_empty(), "could not list this process's threads");
    assert!(
        !names.iter().any(|n| n.starts_with("tokio-runtime")),
        "a tokio runtime is running: {names:?}"
    );
}
