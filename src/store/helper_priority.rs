//! The helper threads of a bulk load run below the writer's priority. The
//! writer is the load's critical path; on two cores, with the reading
//! thread, the search builder and the checkpointer all runnable beside it,
//! the fair scheduler gave it half a core at times (issue 14). The search
//! builder and the checkpointer have until the load's end to catch up, and
//! the index builds leave them the second core. (The search builder also
//! rebuilds an interrupted load's index at the next open; there nothing of
//! this process competes with it, so running lower only yields to others.)

/// How much lower (in nice steps) the calling thread runs from now on.
const NICE_STEPS: i32 = 10;

/// Lowers the calling thread's priority (only it: on Linux a thread id
/// names one thread). Failing is harmless: the load is only slower.
pub(crate) fn below_the_writer() {
    use nix::libc;
    // SAFETY: plain system calls on the calling thread's own id.
    unsafe {
        let tid = libc::gettid();
        let now = libc::getpriority(libc::PRIO_PROCESS, tid as libc::id_t);
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, now + NICE_STEPS);
    }
}
