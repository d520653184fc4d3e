//! One `wikifetch fetch` under a counting tool (callgrind, strace): the
//! run both counters make, written once.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `tool` (its program and arguments) on `exe fetch --format summary`
/// for `strategy` at concurrency `c` against `api_url`, over `n` titles
/// written to a list in `dir` (once); the output when the run fetched
/// every title, else an error with what it printed.
pub(crate) fn fetch(
    tool: &[&str],
    exe: &Path,
    (api_url, strategy, c): (&str, &str, usize),
    (dir, n): (&Path, usize),
) -> std::io::Result<Output> {
    let file = dir.join(format!("titles-{n}.txt"));
    if !file.exists() {
        let titles: Vec<String> = (0..n).map(|i| format!("Instruction {i}")).collect();
        std::fs::write(&file, titles.join("\n"))?;
    }
    let (program, args) = tool
        .split_first()
        .ok_or_else(|| std::io::Error::other("no counting tool named"))?;
    let output = Command::new(program)
        .args(args)
        .arg(exe)
        .args([
            "fetch",
            "--strategy",
            strategy,
            "--concurrency",
            &c.to_string(),
        ])
        .args(["--api-url", api_url, "--format", "summary", "--titles-file"])
        .arg(&file)
        .stdin(Stdio::null())
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || !stdout.contains(&format!("{n} with an extract")) {
        return Err(std::io::Error::other(format!(
            "{strategy} under {program}: {} {}",
            stdout.trim(),
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        )));
    }
    Ok(output)
}

/// The first line `program` prints for `flag` (`--version`, `-V`), or
/// `None` when it is not installed or fails.
pub(crate) fn version(program: &str, flag: &str) -> Option<String> {
    let out = Command::new(program).arg(flag).output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned()
    })
}
