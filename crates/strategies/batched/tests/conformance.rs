//! The shared conformance kit, run against the batched strategy.

wikifetch_testkit::conformance_tests!(wikifetch_batched::Batched);
