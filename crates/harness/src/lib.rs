//! # wikifetch-harness: measuring, into a run log
//!
//! Everything that runs something to measure it: the benchmark scenarios
//! as data ([`scenarios`]), a comparison of rows each in a child process
//! of its own, timed in shuffled rounds ([`session`], which `wikifetch
//! compare` and `cargo bench` share), what a child calls ([`runner`]),
//! memory and threads per request in flight ([`footprint`]), the curve
//! from 10 to 10,000 requests in flight, one row alive at a time
//! ([`scale`]), the steps of
//! a benchmark run ([`drive`]), the outside tools, the lesson's Python
//! and `wrk` ([`external`]), and where threads and tasks give out on their
//! own ([`limits`]) and where each fetch row does as C rises
//! ([`row_limits`]), both for `wikifetch limits`.
//!
//! Its output is a [`wikifetch_runlog::RunLog`] ([`log`]): the harness
//! never reads the report, and the report never reads the harness.

pub mod drive;
pub mod external;
pub mod footprint;
pub mod limits;
pub mod log;
pub mod row_limits;
pub mod runner;
pub mod scale;
pub mod scenarios;
pub mod session;

pub use log::Paths;
