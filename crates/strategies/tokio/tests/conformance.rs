//! The shared conformance kit, run against the tokio strategy.

wikifetch_testkit::conformance_tests!(wikifetch_tokio::Tokio);
