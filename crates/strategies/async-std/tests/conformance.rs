//! The shared conformance kit, run against the async-std strategy, and a
//! check that no tokio runtime is started behind its back.

wikifetch_testkit::conformance_tests!(wikifetch_async_std::AsyncStd);

#[test]
fn starts_no_tokio_runtime() {
    wikifetch_testkit::starts_no_tokio_runtime::<wikifetch_async_std::AsyncStd>();
}
