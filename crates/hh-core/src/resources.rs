//! How much memory this process may still allocate, so that a request too large for it is
//! refused with a message naming the field instead of ending in an aborted allocation.
//!
//! The limit is the smallest of what the machine has (`MemAvailable` in `/proc/meminfo`), what
//! the process's own limits leave (`ulimit -v` and `ulimit -d`: the soft `RLIMIT_AS` less the
//! current `VmSize`, `RLIMIT_DATA` less `VmData`) and what its control groups leave (cgroup v2
//! `memory.max` less `memory.current`, for its group and every group above it). Read from
//! `/proc` and `/sys` on Linux; elsewhere nothing is known and nothing is refused.

use crate::ConfigError;

/// The bytes this process may still allocate, or `None` where no limit can be read.
pub fn available_memory() -> Option<u64> {
    [
        mem_available(),
        rlimit_headroom("Max address space", "VmSize:"),
        rlimit_headroom("Max data size", "VmData:"),
        cgroup_headroom(),
    ]
    .into_iter()
    .flatten()
    .min()
}

/// Refuses `bytes` of memory for `field` when they exceed [`available_memory`]; `what` says
/// what the memory is for (`"the FD solution"`), `got` is the value the user gave.
pub fn check_memory(
    field: &str,
    got: impl std::fmt::Display,
    bytes: u128,
    what: &str,
) -> Result<(), ConfigError> {
    match available_memory() {
        Some(available) if bytes > u128::from(available) => Err(ConfigError::invalid(
            field,
            &format!(
                "small enough that {what} fits in the memory this process may still use \
                 ({} MiB: the least of the machine's available memory, ulimit -v / -d and the \
                 cgroup's memory.max); it needs {} MiB",
                available >> 20,
                bytes >> 20
            ),
            got,
        )),
        _ => Ok(()),
    }
}

/// `MemAvailable` in bytes.
fn mem_available() -> Option<u64> {
    kib_field(
        &std::fs::read_to_string("/proc/meminfo").ok()?,
        "MemAvailable:",
    )
}

/// The soft limit `limit` of `/proc/self/limits` less the current size `status_key` of
/// `/proc/self/status` (both in bytes); `None` when unlimited.
fn rlimit_headroom(limit: &str, status_key: &str) -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let soft = limits
        .lines()
        .find(|l| l.starts_with(limit))?
        .get(limit.len()..)?
        .split_whitespace()
        .next()?
        .parse::<u64>()
        .ok()?;
    let used = kib_field(
        &std::fs::read_to_string("/proc/self/status").ok()?,
        status_key,
    )?;
    Some(soft.saturating_sub(used))
}

/// The least `memory.max − memory.current` over this process's cgroup (v2) and its ancestors.
fn cgroup_headroom() -> Option<u64> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let relative = cgroup.lines().find_map(|l| l.strip_prefix("0::"))?;
    let mut dir = std::path::Path::new("/sys/fs/cgroup").join(relative.trim_start_matches('/'));
    let read = |dir: &std::path::Path, file: &str| {
        std::fs::read_to_string(dir.join(file))
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
    };
    let mut least: Option<u64> = None;
    loop {
        if let (Some(max), Some(current)) = (read(&dir, "memory.max"), read(&dir, "memory.current"))
        {
            let headroom = max.saturating_sub(current);
            least = Some(least.map_or(headroom, |l| l.min(headroom)));
        }
        if dir == std::path::Path::new("/sys/fs/cgroup") || !dir.pop() {
            return least;
        }
    }
}

/// The value of `key` (a `… kB` line) in bytes.
fn kib_field(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line[key.len()..].split_whitespace().next()?.parse().ok()?;
    kib.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_request_beyond_the_limit_is_refused_naming_the_field() {
        let e = check_memory("nx", 1u64 << 62, u128::MAX, "the FD solution").unwrap_err();
        assert!(
            e.to_string().contains("`nx`") && e.to_string().contains("MiB"),
            "{e}"
        );
        check_memory("nx", 4, 1024, "the FD solution").unwrap();
        assert_eq!(kib_field("VmSize:\t  2048 kB\n", "VmSize:"), Some(2 << 20));
    }
}
