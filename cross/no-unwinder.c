/* Router tiny builds (cross/lib.sh tiny_flags): the unwinder's entry points
   as functions that unwind nothing, linked before zig's libunwind so that
   libunwind.a (and the printf it calls to report its own errors) stays out
   of the link. Nothing unwinds in the tiny build: panic = "immediate-abort"
   and no unwind tables. What still names the unwinder is the personality
   routine that each ARM EHABI unwind table entry of zig's musl and
   compiler-rt refers to, and std's unused unwinding support. A call to any
   of these is a bug: it traps (SIGILL), as an immediate-abort panic does.
   If anything ever pulled libunwind.a in again, the link would fail on the
   duplicate names, loudly. Measured in docs/routers.md. */

#define TRAP(name) void name(void) { __builtin_trap(); }

TRAP(_Unwind_RaiseException)
TRAP(_Unwind_Resume)
TRAP(_Unwind_Resume_or_Rethrow)
TRAP(_Unwind_ForcedUnwind)
TRAP(_Unwind_DeleteException)
TRAP(_Unwind_Backtrace)
TRAP(_Unwind_GetLanguageSpecificData)
TRAP(_Unwind_GetRegionStart)
TRAP(_Unwind_GetCFA)
TRAP(_Unwind_FindEnclosingFunction)
#if defined(__ARM_EABI__)
TRAP(__aeabi_unwind_cpp_pr0)
TRAP(__aeabi_unwind_cpp_pr1)
TRAP(__aeabi_unwind_cpp_pr2)
TRAP(_Unwind_Complete)
TRAP(_Unwind_VRS_Get)
TRAP(_Unwind_VRS_Set)
TRAP(_Unwind_VRS_Pop)
TRAP(__gnu_unwind_frame)
#else
TRAP(_Unwind_GetIP)
TRAP(_Unwind_GetIPInfo)
TRAP(_Unwind_GetGR)
TRAP(_Unwind_SetGR)
TRAP(_Unwind_SetIP)
TRAP(_Unwind_GetDataRelBase)
TRAP(_Unwind_GetTextRelBase)
#endif
