//! `wikifetch controls`: the rig measured on its own.

use std::process::ExitCode;

pub fn controls() -> Result<ExitCode, String> {
    let split = wikifetch_rig::cpus::detect();
    wikifetch_rig::cpus::pin_this_thread(&split.client)?;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find my own binary: {e}"))?;
    // Cargo builds the yardstick beside `wikifetch`.
    let bare = exe.with_file_name("wikifetch-bare-wiremock");
    if !bare.exists() {
        return Err(format!(
            "{} is missing: build it with `cargo build --release --bins`",
            bare.display()
        ));
    }
    let controls =
        wikifetch_rig::controls::measure(&exe, &bare, &split).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&controls).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}
