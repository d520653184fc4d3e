//! The operating system's limits that bound how many threads, tasks and
//! sockets a process can hold, read from `/proc` and `getrlimit`, and the
//! kernel's own memory for them (`/proc/meminfo`).

use nix::sys::resource::{Resource, getrlimit, setrlimit};

/// The limits a scale probe meets, as this machine sets them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    /// RLIMIT_NOFILE, soft and hard: open files (each socket is one).
    pub open_files: (u64, u64),
    /// RLIMIT_NPROC, soft and hard (does not bind root).
    pub processes: (u64, u64),
    /// `kernel.pid_max`: process and thread ids, system-wide.
    pub pid_max: Option<u64>,
    /// `kernel.threads-max`: threads, system-wide.
    pub threads_max: Option<u64>,
    /// `vm.max_map_count`: memory mappings per process (a thread's stack
    /// and its guard page are two).
    pub max_map_count: Option<u64>,
    /// `net.ipv4.ip_local_port_range`: the ephemeral ports per source and
    /// destination address pair.
    pub ports: Option<(u64, u64)>,
    /// RLIMIT_STACK's soft limit, bytes: the main thread's stack (spawned
    /// threads get their library's own default).
    pub stack: u64,
}

impl Limits {
    /// Reads this machine's limits; a value `/proc` does not give is `None`.
    pub fn read() -> Self {
        let pair = |r: Resource| getrlimit(r).unwrap_or((0, 0));
        let ports = sysctl("net/ipv4/ip_local_port_range").and_then(|text| {
            let mut it = text.split_whitespace().filter_map(|v| v.parse().ok());
            Some((it.next()?, it.next()?))
        });
        Self {
            open_files: pair(Resource::RLIMIT_NOFILE),
            processes: pair(Resource::RLIMIT_NPROC),
            pid_max: sysctl("kernel/pid_max").and_then(|t| t.trim().parse().ok()),
            threads_max: sysctl("kernel/threads-max").and_then(|t| t.trim().parse().ok()),
            max_map_count: sysctl("vm/max_map_count").and_then(|t| t.trim().parse().ok()),
            ports,
            stack: pair(Resource::RLIMIT_STACK).0,
        }
    }

    /// Ephemeral ports per address pair, when known.
    pub fn port_count(&self) -> Option<u64> {
        self.ports.map(|(low, high)| high.saturating_sub(low) + 1)
    }
}

/// Raises this process's soft open-files limit to its hard limit (a
/// process may, without privilege); the new soft limit.
pub fn raise_open_files() -> u64 {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap_or((0, 0));
    if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
        return hard;
    }
    soft
}

/// A pipe, as its reading and its writing end: a thread blocked reading
/// the first wakes with end of file when the second is dropped. Threads
/// that share one reading end (`&File` reads) hold one descriptor in all.
pub fn pipe() -> std::io::Result<(std::fs::File, std::fs::File)> {
    let (read, write) = nix::unistd::pipe().map_err(std::io::Error::from)?;
    Ok((std::fs::File::from(read), std::fs::File::from(write)))
}

/// `/proc/sys/<path>`, as text.
fn sysctl(path: &str) -> Option<String> {
    std::fs::read_to_string(format!("/proc/sys/{path}")).ok()
}

/// The kernel's memory for threads' stacks and for page tables, KiB,
/// system-wide (`KernelStack` and `PageTables` in `/proc/meminfo`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KernelMemory {
    /// `KernelStack`: every thread's kernel stack.
    pub kernel_stack_kib: u64,
    /// `PageTables`: every process's page tables.
    pub page_tables_kib: u64,
}

impl KernelMemory {
    /// Reads `/proc/meminfo`; zeros for what it does not list.
    pub fn read() -> Self {
        std::fs::read_to_string("/proc/meminfo")
            .map(|text| Self::parse(&text))
            .unwrap_or_default()
    }

    fn parse(text: &str) -> Self {
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Self {
            kernel_stack_kib: field("KernelStack"),
            page_tables_kib: field("PageTables"),
        }
    }
}

/// The memory of every TCP socket's buffers on the machine, KiB: `mem`
/// of the `TCP` line of `/proc/net/sockstat`, in pages.
pub fn socket_memory_kib() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/sockstat").ok()?;
    let pages = parse_sockstat(&text)?;
    let page = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
        .ok()
        .flatten()
        .and_then(|b| u64::try_from(b).ok())?;
    Some(pages * page / 1024)
}

/// The `mem` field of the `TCP:` line, in pages.
fn parse_sockstat(text: &str) -> Option<u64> {
    let tcp = text.lines().find_map(|l| l.strip_prefix("TCP:"))?;
    let mut words = tcp.split_whitespace();
    while let Some(word) = words.next() {
        if word == "mem" {
            return words.next()?.parse().ok();
        }
    }
    None
}

/// Memory mappings of this process now (lines of `/proc/self/maps`).
pub fn mappings() -> Option<u64> {
    std::fs::read_to_string("/proc/self/maps")
        .ok()
        .map(|t| t.lines().count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockstat_gives_the_tcp_buffer_pages() {
        let text =
            "sockets: used 180\nTCP: inuse 5 orphan 0 tw 2 alloc 7 mem 13\nUDP: inuse 1 mem 2\n";
        assert_eq!(parse_sockstat(text), Some(13));
        assert_eq!(parse_sockstat("UDP: inuse 1 mem 2\n"), None);
        assert!(
            socket_memory_kib().is_some(),
            "this machine has /proc/net/sockstat"
        );
    }

    #[test]
    fn reads_kernel_memory_from_meminfo() {
        let text = "MemTotal:       24000000 kB\nKernelStack:       11264 kB\nPageTables:         6380 kB\n";
        assert_eq!(
            KernelMemory::parse(text),
            KernelMemory {
                kernel_stack_kib: 11264,
                page_tables_kib: 6380
            }
        );
        assert_eq!(KernelMemory::parse(""), KernelMemory::default());
    }

    #[test]
    fn this_machine_has_limits() {
        let limits = Limits::read();
        assert!(limits.open_files.0 > 0 && limits.open_files.0 <= limits.open_files.1);
        assert!(limits.pid_max.is_some_and(|p| p > 0));
        assert!(mappings().is_some_and(|m| m > 0));
    }
}
