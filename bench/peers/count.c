/* A tight C reference reader for bench/: counts TCP sockets per state in
 * /proc/net/tcp and /proc/net/tcp6 with read() into one 64 KiB buffer, finding
 * the state column from the colon after the slot number. It checks nothing
 * else: it shows how close to the kernel's formatting cost (`cat`) a reader
 * can get, not how to parse safely.
 *
 *   count [FILE...]          count, print "STATE COUNT" lines
 *   count --mem ITER FILE    read FILE into memory once, count it ITER times
 *                            in 64 KiB chunks, print the median MB/s
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUF (64 * 1024)
#define LINE_MAX_LEN 512

static const char *names[16] = {
    "?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
    "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
};

struct counter {
    unsigned long counts[256];
    char carry[LINE_MAX_LEN];
    size_t carry_len;
    unsigned long line;
};

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* One complete line (no newline). */
static void count_line(struct counter *c, const char *p, size_t len) {
    c->line++;
    if (c->line == 1) return; /* header */
    const char *colon = memchr(p, ':', len < 16 ? len : 16);
    if (!colon) { c->counts[255]++; return; }
    size_t at = (size_t)(colon - p);
    /* "NNNN: " then ADDR:PORT ADDR:PORT ST; IPv4 address 8 hex, IPv6 32 */
    size_t st = (at + 2 + 8 < len && p[at + 2 + 8] == ':') ? at + 30 : at + 78;
    if (st + 2 > len) { c->counts[255]++; return; }
    int hi = hexval(p[st]), lo = hexval(p[st + 1]);
    if (hi < 0 || lo < 0) { c->counts[255]++; return; }
    c->counts[hi * 16 + lo]++;
}

static void feed(struct counter *c, const char *buf, size_t n) {
    const char *p = buf, *end = buf + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            size_t rest = (size_t)(end - p);
            if (c->carry_len + rest > LINE_MAX_LEN) rest = LINE_MAX_LEN - c->carry_len;
            memcpy(c->carry + c->carry_len, p, rest);
            c->carry_len += rest;
            return;
        }
        if (c->carry_len) {
            size_t part = (size_t)(nl - p);
            if (c->carry_len + part > LINE_MAX_LEN) part = LINE_MAX_LEN - c->carry_len;
            memcpy(c->carry + c->carry_len, p, part);
            count_line(c, c->carry, c->carry_len + part);
            c->carry_len = 0;
        } else {
            count_line(c, p, (size_t)(nl - p));
        }
        p = nl + 1;
    }
}

static void finish(struct counter *c) {
    if (c->carry_len) count_line(c, c->carry, c->carry_len);
    c->carry_len = 0;
    c->line = 0;
}

static int count_file(struct counter *c, const char *path, char *buf) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n;
    while ((n = read(fd, buf, BUF)) > 0) feed(c, buf, (size_t)n);
    close(fd);
    finish(c);
    return n < 0 ? -1 : 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int mem_bench(int iters, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 1; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) { perror(path); return 1; }
    fclose(f);
    double *t = calloc((size_t)iters, sizeof *t);
    unsigned long rows = 0;
    for (int i = 0; i < iters; i++) {
        struct counter c = {0};
        double t0 = now();
        for (long off = 0; off < size; off += BUF)
            feed(&c, data + off, (size_t)(size - off < BUF ? size - off : BUF));
        finish(&c);
        t[i] = now() - t0;
        rows = 0;
        for (int s = 0; s < 256; s++) rows += c.counts[s];
    }
    qsort(t, (size_t)iters, sizeof *t, cmp_double);
    printf("%s: %ld bytes, %lu rows, median %.3f ms of %d, %.0f MB/s\n", path, size, rows,
           t[iters / 2] * 1e3, iters, size / t[iters / 2] / 1e6);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--mem") == 0) return mem_bench(atoi(argv[2]), argv[3]);
    static char buf[BUF];
    struct counter c = {0};
    const char *def[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    const char **paths = argc > 1 ? (const char **)argv + 1 : def;
    int n = argc > 1 ? argc - 1 : 2;
    for (int i = 0; i < n; i++)
        if (count_file(&c, paths[i], buf) < 0 && argc > 1) { perror(paths[i]); return 1; }
    for (int s = 0; s < 256; s++)
        if (c.counts[s]) printf("%s %lu\n", s < 12 ? names[s] : "UNKNOWN", c.counts[s]);
    return 0;
}
