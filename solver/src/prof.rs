//! Temporary profiling counters (not to be committed).
#![allow(missing_docs)]
use std::sync::atomic::{AtomicU64, Ordering};
pub static C: [AtomicU64; 16] = [const { AtomicU64::new(0) }; 16];
pub const NAMES: [&str; 16] = ["checks","check_us","realize","real_us","cand","quick","auto_found","auto_imp","other","asearch","astates","shrink","decode_us","realres_us","x","y"];
pub fn add(i: usize, v: u64) { C[i].fetch_add(v, Ordering::Relaxed); }
pub fn take() -> String { let mut s = String::new(); for (i,c) in C.iter().enumerate() { let v = c.swap(0, Ordering::Relaxed); if v>0 { s.push_str(&format!("{}={} ", NAMES[i], v)); } } s }
