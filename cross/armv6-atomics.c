/* The armv6 tiny build (cross/lib.sh tiny_flags), whose Rust code is
   Thumb-1: Thumb-1 has no exclusive loads and stores, so LLVM calls
   __sync_* functions for atomics. compiler_builtins provides the 1-, 2- and
   4-byte ones through the kernel's user helpers (--cfg kernel_user_helpers);
   these are the two 64-bit ones std uses (its thread ids), through the
   helper __kuser_cmpxchg64 at 0xffff0f60 (Linux 3.1 and later; Rust's std
   needs 3.2). The helper has barrier semantics and returns 0 when it stored.
   A plain 64-bit load may tear, so a value is returned only once a
   compare-and-swap has confirmed it. Linked first by zig cc, compiled for
   the target's CPU in ARM code; the asm labels give the builtins' names,
   which clang refuses as C function names. */
typedef int (*cmpxchg64_fn)(const long long *old, const long long *new_, volatile long long *ptr);
#define kuser_cmpxchg64 ((cmpxchg64_fn)0xffff0f60)

long long cas8(volatile long long *ptr, long long expected, long long desired) __asm__("__sync_val_compare_and_swap_8");
long long cas8(volatile long long *ptr, long long expected, long long desired) {
    for (;;) {
        long long current = *ptr;
        if (current != expected) {
            if (kuser_cmpxchg64(&current, &current, ptr) == 0) return current;
            continue;
        }
        if (kuser_cmpxchg64(&current, &desired, ptr) == 0) return current;
    }
}

long long swap8(volatile long long *ptr, long long value) __asm__("__sync_lock_test_and_set_8");
long long swap8(volatile long long *ptr, long long value) {
    for (;;) {
        long long current = *ptr;
        if (kuser_cmpxchg64(&current, &value, ptr) == 0) return current;
    }
}
