//! What the benches read of their own process from Linux `/proc`: CPU time (the machine may
//! be shared, and then wall time overstates the work) and peak memory. Each bench includes
//! this file (`#[path = "support/proc_stats.rs"] mod proc_stats;`) and uses what it needs.
#![allow(dead_code)]

/// CPU time of this process so far (user + system, every thread), in seconds, from
/// `/proc/self/stat` (clock ticks of 1/100 s), if the system says.
pub fn process_cpu() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = text.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let utime: f64 = fields.nth(11)?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// CPU time of the calling thread so far, in seconds (`/proc/thread-self/schedstat`), if
/// the system says: the part of the work a second core did not take over.
pub fn thread_cpu() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// The peak resident memory of this process so far (`VmHWM`), in MiB.
pub fn peak_mib() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
