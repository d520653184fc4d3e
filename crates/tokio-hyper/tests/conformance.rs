//! The shared conformance kit, run against the tokio-hyper control.

wikifetch_testkit::conformance_tests!(wikifetch_tokio_hyper::TokioHyper);
