//! `wikifetch limits`: where OS threads and async tasks give out on this
//! machine, each on its own (no sockets), then where each fetch row of
//! the curve gives out as C rises, and the limits that stop them.

use std::process::ExitCode;

use clap::Args;
use wikifetch_harness::{limits, row_limits};
use wikifetch_rig::os::{self, Limits};
use wikifetch_runlog::{LimitsLog, ModelLimit, RowTry};

#[derive(Args)]
pub struct LimitsArgs {
    /// The most threads to create (each blocked on a pipe).
    #[arg(long, default_value_t = 50_000)]
    threads: usize,
    /// The most tasks to spawn (each waiting on a timer).
    #[arg(long, default_value_t = 1_000_000)]
    tasks: usize,
    /// Stop spawning tasks once the process's memory has grown by this many
    /// MiB.
    #[arg(long, default_value_t = 4096)]
    memory_mib: u64,
    /// Skip the fetch rows: probe the models alone.
    #[arg(long)]
    no_rows: bool,
    /// The largest C a fetch row is tried at.
    #[arg(long, default_value_t = 100_000)]
    rows_cap: usize,
    /// Seconds a fetch row's set-up or its one call may take before its
    /// process is ended and the row stopped there.
    #[arg(long, default_value_t = row_limits::DEADLINE.as_secs())]
    deadline_s: u64,
    /// Also write the probe's results as JSON here (`results/limits.json`
    /// is the committed one, which `cargo bench` puts in its run log).
    #[arg(long, value_name = "PATH")]
    out: Option<std::path::PathBuf>,
    /// Run only the thread probe, reporting progress: the child process
    /// the parent runs it in, so that an abort ends the child only.
    #[arg(long, hide = true)]
    child_threads: bool,
}

/// The child's progress line: threads alive so far.
const CREATED: &str = "created ";

/// The child's result line: its probe, as JSON.
const PROBE: &str = "probe ";

pub fn limits(args: LimitsArgs) -> Result<ExitCode, String> {
    if args.child_threads {
        os::raise_open_files();
        let probe = limits::threads(args.threads, |n| {
            if n % 256 == 0 {
                println!("{CREATED}{n}");
                let _ = std::io::Write::flush(&mut std::io::stdout());
            }
        })
        .map_err(|e| format!("the thread probe: {e}"))?;
        let json =
            serde_json::to_string(&probe.record(&Limits::read())).map_err(|e| e.to_string())?;
        println!("{PROBE}{json}");
        return Ok(ExitCode::SUCCESS);
    }
    let before = Limits::read();
    let raised = os::raise_open_files();
    let show = |v: Option<u64>| v.map_or("unknown".to_owned(), |v| v.to_string());
    println!("This machine's limits:");
    println!(
        "  open files (RLIMIT_NOFILE): soft {}, hard {} (soft raised to {raised}); one per socket",
        before.open_files.0, before.open_files.1
    );
    println!(
        "  kernel.pid_max: {} (counts threads); kernel.threads-max: {}",
        show(before.pid_max),
        show(before.threads_max)
    );
    println!(
        "  vm.max_map_count: {} (a thread holds four: its stack and its signal stack, each with a guard page)",
        show(before.max_map_count)
    );
    println!(
        "  ephemeral ports per address pair: {}; RLIMIT_NPROC: {} (does not bind root)",
        show(before.port_count()),
        before.processes.0
    );
    println!();
    let threads = thread_probe_in_a_child(args.threads, &before)?;
    print_limit(&threads);
    let tasks = limits::tasks(args.tasks, args.memory_mib * 1024)
        .map_err(|e| format!("the task probe: {e}"))?
        .record(&before);
    print_limit(&tasks);
    let deadline = std::time::Duration::from_secs(args.deadline_s);
    let rows = if args.no_rows {
        Vec::new()
    } else {
        println!();
        println!(
            "Each fetch row, one at a time, a cold and a warm call of C titles a try, through C = {:?} (up to {}) \
             until it fails, then bisected to within {}; a set-up or a call over {} s is ended:",
            row_limits::LADDER,
            args.rows_cap,
            row_limits::RESOLUTION,
            args.deadline_s
        );
        let exe = std::env::current_exe().map_err(|e| format!("this program's path: {e}"))?;
        let split = wikifetch_rig::cpus::detect();
        wikifetch_rig::cpus::pin_this_thread(&split.client)?;
        row_limits::rows(&exe, &split, (args.rows_cap, deadline), print_try)?
    };
    if let Some(path) = &args.out {
        let log = LimitsLog {
            finished_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            machine: wikifetch_harness::log::machine(),
            settings: limits::settings(&before),
            models: vec![threads, tasks],
            deadline_s: (!rows.is_empty()).then_some(deadline.as_secs_f64()),
            resolution: (!rows.is_empty()).then_some(row_limits::RESOLUTION),
            rows,
        };
        log.save(path)?;
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The thread probe in a child process (`--child-threads`): its record,
/// or, when the child was ended by the OS or the runtime, how far it got
/// and the limit it was nearest.
fn thread_probe_in_a_child(cap: usize, limits: &Limits) -> Result<ModelLimit, String> {
    let exe = std::env::current_exe().map_err(|e| format!("this program's path: {e}"))?;
    let out = std::process::Command::new(exe)
        .args(["limits", "--child-threads", "--threads", &cap.to_string()])
        .stderr(std::process::Stdio::piped())
        .output()
        .map_err(|e| format!("the thread probe's process: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        let json = stdout
            .lines()
            .find_map(|l| l.strip_prefix(PROBE))
            .ok_or("the thread probe's process gave no result")?;
        return serde_json::from_str(json).map_err(|e| format!("the thread probe's result: {e}"));
    }
    let reached = stdout
        .lines()
        .filter_map(|l| l.strip_prefix(CREATED)?.parse::<u64>().ok())
        .next_back()
        .unwrap_or(0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let why = stderr
        .lines()
        .find(|l| l.contains("failed") || l.contains("error"))
        .unwrap_or("no message");
    Ok(limits::ended(
        reached,
        cap as u64,
        (&out.status.to_string(), why.trim()),
        limits,
    ))
}

fn print_try(row: &str, t: &RowTry) {
    let cost = |c: Option<wikifetch_runlog::Cost>| {
        c.map_or("–".to_owned(), |c| {
            format!("{:.2} s ({:.2} s CPU)", c.wall_s, c.cpu_s)
        })
    };
    let outcome = match &t.failed {
        None => format!(
            "answered all {}, {} in flight at most, {} threads",
            t.titles, t.in_flight, t.peak_threads
        ),
        Some(f) => format!(
            "failed: {}{}",
            f.why,
            f.limit
                .as_ref()
                .map_or(String::new(), |l| format!(" [{l}]"))
        ),
    };
    println!(
        "  {row} at C = {}: set-up {}, cold call {}, warm call {}; {outcome}",
        t.concurrency,
        cost(t.setup),
        cost(t.call),
        cost(t.warm)
    );
}

fn print_limit(m: &ModelLimit) {
    let each = match (m.rss_kib, m.kernel_kib) {
        (Some(rss), Some(kernel)) => format!(
            " Memory each: {rss:.1} KiB resident in the process, {kernel:.1} KiB of kernel stack and page tables."
        ),
        _ => String::new(),
    };
    println!(
        "{}: {} alive at once; {}{}.{}{}{}",
        m.what,
        m.reached,
        m.outcome,
        m.limit
            .as_ref()
            .map_or(String::new(), |l| format!("; the limit: {l}")),
        m.create_s
            .map_or(String::new(), |s| format!(" Created in {s:.2} s.")),
        each,
        m.mappings.map_or(String::new(), |n| format!(
            " {n} memory mappings at the end."
        )),
    );
}
