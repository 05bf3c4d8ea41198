//! Processes as `/proc` shows them, for tests that must see a script's
//! whole process group gone (its children too, not just its leader).

/// The live (not zombie) processes of process group `pgid`.
pub fn group_members(pgid: i32) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // After "(comm) ": state, ppid, pgrp.
            let f: Vec<&str> = stat
                .rsplit_once(") ")
                .map_or("", |(_, rest)| rest)
                .split_whitespace()
                .collect();
            f.len() > 2 && f[0] != "Z" && f[2] == pgid.to_string()
        })
        .collect()
}
