//! The shared conformance kit, run against the rayon strategy.

wikifetch_testkit::conformance_tests!(wikifetch_rayon::Rayon);
