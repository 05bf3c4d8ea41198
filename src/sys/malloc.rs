//! Handing freed heap memory back to the kernel (glibc's `malloc_trim`).
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
