//! The shared conformance kit, run against the thread pool on hyper.

wikifetch_testkit::conformance_tests!(wikifetch_thread_pool_hyper::ThreadPoolHyper);

#[test]
fn starts_no_tokio_runtime() {
    wikifetch_testkit::starts_no_tokio_runtime::<wikifetch_thread_pool_hyper::ThreadPoolHyper>();
}
