//! # wikifetch-rig: the measuring rig
//!
//! A figure about a strategy means something only when the rig is ruled
//! out. This crate is what `cargo bench` and `wikifetch compare` share to
//! make sure of it:
//!
//! - [`cpus`]: the machine's CPUs split between the mock and the client
//!   (on two cores, one each), so neither steals the other's time.
//! - [`mock_process`]: the mock in a process of its own (`wikifetch
//!   serve`, pinned to the mock's CPUs), its counters and CPU time read
//!   over its admin paths between calls.
//! - [`reference`](mod@reference): a near-free HTTP client sending the same requests,
//!   whose time on the same mock is the floor every row is measured against.
//! - [`sample`]: one timed call: wall time, the client's own CPU
//!   (`CLOCK_PROCESS_CPUTIME_ID`, nothing of the mock), the mock's CPU and
//!   busy share, requests, the most in flight, connections opened.
//! - [`process`]: CPU time, memory and threads from `/proc`, read from
//!   outside the timed code.
//! - [`instructions`] and [`syscalls`]: costs that do not drift with the
//!   machine's noise, counted by callgrind and strace in untimed runs.
//!
//! The rig never runs a thread of its own during a timed call: what is
//! sampled (threads, peak memory) is read between calls or from another
//! process.

pub mod controls;
pub mod cpus;
pub mod instructions;
pub mod mock_process;
pub mod os;
pub mod process;
pub mod reference;
pub mod sample;
pub mod syscalls;
mod under;

pub use mock_process::{MockProcess, MockSpec, MockStats};
pub use reference::Reference;
pub use sample::measure;
pub use wikifetch_runlog::{CpuSplit, Sample};
