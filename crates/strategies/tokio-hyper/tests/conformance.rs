//! The shared conformance kit, run against the tokio-hyper controls.

mod tokio_hyper {
    wikifetch_testkit::conformance_tests!(wikifetch_tokio_hyper::TokioHyper);
}

mod tokio_current_thread {
    wikifetch_testkit::conformance_tests!(wikifetch_tokio_hyper::TokioCurrentThread);
}
