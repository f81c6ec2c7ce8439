//! The binary's allocator: the system's, except for the commands that load
//! tickets in bulk, which switch to mimalloc before they start.
//!
//! An import's reading thread allocates every ticket and its writer and
//! search builder free them: glibc then locks an arena on each free from
//! another thread, and mimalloc made an import 10–20 % faster. But mimalloc
//! lays out a new process's first allocations over many fresh pages, and
//! the console's first frame was 15 % slower with it (issue 14), so a
//! process starts on the system allocator and only `for_bulk_loads` moves
//! it over. Blocks allocated before the switch are freed and resized by
//! the allocator that made them, whichever is in use then.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::{c_int, c_long, c_void};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once, never cleared: from then on new blocks come from mimalloc.
static BULK: AtomicBool = AtomicBool::new(false);

// Part of mimalloc's C library; its Rust binding declares them only behind
// a feature that needs one more crate.
extern "C" {
    /// Whether `p` lies in memory mimalloc reserved.
    fn mi_is_in_heap_region(p: *const c_void) -> bool;
    fn mi_option_set(option: c_int, value: c_long);
}

/// `mi_option_purge_delay` in mimalloc.h (version 2): how long freed
/// memory stays with the process before it goes back to the OS.
const MI_OPTION_PURGE_DELAY: c_int = 15;

/// Called by the main thread before the threads of a bulk load start.
pub fn for_bulk_loads() {
    // A load frees a batch's tickets and allocates the next batch's, over
    // and over: handed back to the OS 10 ms after a free (mimalloc's
    // default), the same pages were zeroed and faulted in again for every
    // batch. The process ends with the load.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    BULK.store(true, Ordering::Relaxed);
}

pub struct Allocator;

impl Allocator {
    fn bulk() -> bool {
        BULK.load(Ordering::Relaxed)
    }

    /// Whether mimalloc made `p`. Before the switch nothing was, and
    /// mimalloc is not asked (asking would start it up).
    unsafe fn mimalloc_owns(p: *mut u8) -> bool {
        Self::bulk() && unsafe { mi_is_in_heap_region(p as *const c_void) }
    }
}

unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if Self::bulk() {
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if Self::bulk() {
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        } else {
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if unsafe { Self::mimalloc_owns(ptr) } {
            unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if unsafe { Self::mimalloc_owns(ptr) } {
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks from before the switch and after it, freed and resized in
    /// any order, each by its own allocator (a wrong one would abort).
    #[test]
    fn blocks_outlive_the_switch_either_way() {
        let a = Allocator;
        let layout = Layout::from_size_align(48, 8).unwrap();
        unsafe {
            let before = a.alloc(layout);
            assert!(!Allocator::mimalloc_owns(before));
            for_bulk_loads();
            let after = a.alloc(layout);
            assert!(Allocator::mimalloc_owns(after));
            assert!(!Allocator::mimalloc_owns(before));
            let before = a.realloc(before, layout, 4096);
            assert!(!Allocator::mimalloc_owns(before));
            let after = a.realloc(after, layout, 4096);
            assert!(Allocator::mimalloc_owns(after));
            let big = Layout::from_size_align(4096, 8).unwrap();
            a.dealloc(before, big);
            a.dealloc(after, big);
        }
    }
}
