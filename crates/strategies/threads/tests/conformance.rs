//! The shared conformance kit, run against both thread strategies.

mod thread_pool {
    wikifetch_testkit::conformance_tests!(wikifetch_threads::ThreadPool);
}

mod thread_per_request {
    wikifetch_testkit::conformance_tests!(wikifetch_threads::ThreadPerRequest);
}
