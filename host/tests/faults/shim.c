/* An LD_PRELOAD shim for host/tests/faults.rs: it wraps read(2) for one file
 * and makes it fail the ways a real read can, so tcpcount's read loop can be
 * tested without a broken disk or a signal storm.
 *
 *   FAULT_PATH   the file (as /proc/self/fd/N resolves it) whose reads to
 *                disturb; other files and descriptors are left alone
 *   FAULT_MODE   eio:   read normally, then fail with EIO once FAULT_AFTER
 *                       bytes have been returned
 *                short: return at most 1..7 bytes per call (cycling)
 *                eintr: fail every other call with EINTR, and return short
 *                       counts in between
 *   FAULT_AFTER  bytes before the EIO (default 0)
 *   FAULT_LOG    file to which, at exit, the shim appends what it did:
 *                "reads=N short=N eintr=N eio=N maxrss_kb=N cpu_ms=N" (the
 *                peak memory and CPU time from getrusage, so that a test can
 *                bound them whatever else the machine is doing)
 *
 * Built by the test with: cc -shared -fPIC -O2 -o faults.so shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

typedef ssize_t (*read_fn)(int, void *, size_t);

static unsigned long n_reads, n_short, n_eintr, n_eio;
static unsigned long long returned;

/* Whether fd is FAULT_PATH. */
static int targeted(int fd)
{
    const char *want = getenv("FAULT_PATH");
    char link[64], path[4096];
    ssize_t n;
    if (want == NULL)
        return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, path, sizeof path - 1);
    if (n < 0)
        return 0;
    path[n] = '\0';
    return strcmp(path, want) == 0;
}

ssize_t read(int fd, void *buf, size_t count)
{
    static read_fn real_read;
    const char *mode = getenv("FAULT_MODE");
    ssize_t n;
    if (real_read == NULL)
        real_read = (read_fn)dlsym(RTLD_NEXT, "read");
    if (mode == NULL || count == 0 || !targeted(fd))
        return real_read(fd, buf, count);
    n_reads++;
    if (strcmp(mode, "eio") == 0) {
        const char *after = getenv("FAULT_AFTER");
        unsigned long long limit = after ? strtoull(after, NULL, 10) : 0;
        if (returned >= limit) {
            n_eio++;
            errno = EIO;
            return -1;
        }
        if (count > limit - returned)
            count = limit - returned;
    } else if (strcmp(mode, "short") == 0 || strcmp(mode, "eintr") == 0) {
        if (strcmp(mode, "eintr") == 0 && n_reads % 2 == 1) {
            n_eintr++;
            errno = EINTR;
            return -1;
        }
        size_t most = 1 + n_reads % 7;
        if (count > most) {
            count = most;
            n_short++;
        }
    }
    n = real_read(fd, buf, count);
    if (n > 0)
        returned += (unsigned long long)n;
    return n;
}

__attribute__((destructor)) static void report(void)
{
    const char *log = getenv("FAULT_LOG");
    struct rusage usage;
    FILE *f;
    if (log == NULL || (f = fopen(log, "a")) == NULL)
        return;
    getrusage(RUSAGE_SELF, &usage);
    fprintf(f, "reads=%lu short=%lu eintr=%lu eio=%lu maxrss_kb=%ld cpu_ms=%ld\n", n_reads,
            n_short, n_eintr, n_eio, usage.ru_maxrss,
            (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000L +
                (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000L);
    fclose(f);
}
