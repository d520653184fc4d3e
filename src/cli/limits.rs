//! `wikifetch limits`: where OS threads and async tasks give out on this
//! machine, each on its own (no sockets), and the limits that stop them.

use std::process::ExitCode;

use clap::Args;
use wikifetch_harness::limits::{self, Probe, Stop};
use wikifetch_rig::os::{self, Limits};

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
    /// Run only the thread probe, reporting progress: the child process
    /// the parent runs it in, so that an abort ends the child only.
    #[arg(long, hide = true)]
    child_threads: bool,
}

/// The child's progress line: threads alive so far.
const CREATED: &str = "created ";

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
        print_probe(&probe, &Limits::read());
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
        "  vm.max_map_count: {} (a thread's stack and its guard are two mappings)",
        show(before.max_map_count)
    );
    println!(
        "  ephemeral ports per address pair: {}; RLIMIT_NPROC: {} (does not bind root)",
        show(before.port_count()),
        before.processes.0
    );
    println!();
    thread_probe_in_a_child(args.threads, &before)?;
    let tasks = limits::tasks(args.tasks, args.memory_mib * 1024)
        .map_err(|e| format!("the task probe: {e}"))?;
    print_probe(&tasks, &before);
    Ok(ExitCode::SUCCESS)
}

/// The thread probe in a child process (`--child-threads`): its report,
/// or, when the child was ended by the OS or the runtime, how far it got
/// and the limit it was nearest.
fn thread_probe_in_a_child(cap: usize, limits: &Limits) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("this program's path: {e}"))?;
    let out = std::process::Command::new(exe)
        .args(["limits", "--child-threads", "--threads", &cap.to_string()])
        .stderr(std::process::Stdio::piped())
        .output()
        .map_err(|e| format!("the thread probe's process: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        for line in stdout.lines().filter(|l| !l.starts_with(CREATED)) {
            println!("{line}");
        }
        return Ok(());
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
    // Each thread holds about four mappings (its stack, its guard page,
    // the signal stack and its guard).
    let maps = limits.max_map_count.map_or(String::new(), |m| {
        format!(
            "; at about four mappings a thread, vm.max_map_count ({m}) allows about {}",
            m / 4
        )
    });
    println!(
        "threads: the probe's process was ended ({}) after at least {reached} threads were created: \
         \"{}\"{maps}. Creating a thread succeeded, and the standard library then aborted the process: \
         the limit ends the program, not the spawn.",
        out.status,
        why.trim()
    );
    Ok(())
}

fn print_probe(p: &Probe, limits: &Limits) {
    let why = match &p.stop {
        Stop::Cap => format!("reached the cap of {}", p.cap),
        Stop::MemoryCap => "reached the memory cap".to_owned(),
        Stop::Failed { errno, message } => format!(
            "creating one more failed: {message}{}{}",
            errno.map_or(String::new(), |e| format!(" (errno {e})")),
            likely_limit(p, limits)
        ),
    };
    println!(
        "{}: {} alive at once; {why}. Created in {:.2} s, released in {:.2} s. \
         Memory each: {:.1} KiB resident in the process, {:.1} KiB of kernel stack and page tables{}.",
        p.what,
        p.reached,
        p.create_s,
        p.release_s,
        p.rss_per_item_kib(),
        p.kernel_per_item_kib(),
        p.mappings.map_or(String::new(), |m| format!(
            "; {m} memory mappings at the end"
        )),
    )
}

/// Which limit a failed thread probe most likely met: the one its count is
/// nearest to.
fn likely_limit(p: &Probe, limits: &Limits) -> String {
    let near = |count: u64, limit: Option<u64>| limit.is_some_and(|l| count + 2_000 >= l);
    if near(p.reached as u64, limits.pid_max) {
        return format!(
            "; {} threads is near kernel.pid_max ({})",
            p.reached,
            limits.pid_max.unwrap_or(0)
        );
    }
    if near(p.mappings.unwrap_or(0), limits.max_map_count) {
        return format!(
            "; {} mappings is near vm.max_map_count ({})",
            p.mappings.unwrap_or(0),
            limits.max_map_count.unwrap_or(0)
        );
    }
    String::new()
}
