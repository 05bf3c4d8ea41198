//! Keeping the heap small: freed memory handed back to the kernel (glibc's
//! `malloc_trim`), no transparent huge pages.
#![allow(unsafe_code)]

/// Returns the heap's free pages to the kernel. glibc keeps freed memory
/// mapped for reuse; after the checker child's start-up (the first IPVS
/// sync of a large table builds and drops several megabytes of tables and
/// operations) that memory would otherwise stay in its resident set.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer of ours; it only walks the
    // allocator's own free lists and is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Keeps transparent huge pages out of this process (and, inherited, out of
/// the children it starts). With THP on `always`, as Debian's kernels
/// ship, the heap of a daemon that holds many small objects is backed by
/// 2 MB pages that stay resident when only a part of them is used: the
/// checker child with 10,000 real servers had 22 MB of its heap in huge
/// pages. Nothing a daemon of this kind does gains from them. A kernel
/// without the setting leaves things as they were.
pub fn no_huge_pages() {
    let _ = nix::sys::prctl::set_thp_disable(true);
}
