//! One timed call and everything the rig knows about it.

use std::time::Instant;

use wikifetch_runlog::Sample;

use crate::mock_process::MockProcess;
use crate::process::cpu_time;

/// Times `call`, with the mock's counters zeroed before it and read after
/// it (both untimed). The client's CPU is read from its own process clock
/// right around the call, so nothing of the mock or of the measuring is in
/// it; no thread of the rig runs during the call.
pub fn measure<T>(mock: &MockProcess, call: impl FnOnce() -> T) -> std::io::Result<(T, Sample)> {
    let before = mock.reset()?;
    let cpu = cpu_time();
    let start = Instant::now();
    let out = call();
    let wall = start.elapsed();
    let client_cpu = cpu_time().saturating_sub(cpu);
    let after = mock.stats()?;
    Ok((
        out,
        Sample {
            wall_s: wall.as_secs_f64(),
            client_cpu_s: client_cpu.as_secs_f64(),
            mock_cpu_s: after.cpu_ns.saturating_sub(before.cpu_ns) as f64 / 1e9,
            requests: after.requests,
            max_in_flight: after.max_in_flight,
            connections: after.connections,
            tls_handshakes: after.tls13_connections + after.tls12_connections,
            // The caller's switches, when it is the client, are read by it.
            context_switches: None,
            // The caller knows the block.
            block: 0,
            // And, from the call's own completions, its first answer.
            first_answer_s: None,
        },
    ))
}
