//! The shared conformance kit, run against the sequential strategy.

wikifetch_testkit::conformance_tests!(wikifetch_sequential::Sequential);
