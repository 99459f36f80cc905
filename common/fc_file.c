/* fc_file.c — mkdir -p, atomic writes, whole-file reads. */
#include "fc_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fc_config.h"
#include "fc_mem.h"

int fc_mkdirs(const char *dir)
{
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) return fc_err_set(FC_EIO, "'%s': bad folder path", dir);
    memcpy(buf, dir, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return fc_err_set(FC_EIO, "%s: cannot create folder: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return fc_err_set(FC_EIO, "%s: cannot create folder: %s", buf, strerror(errno));
    return FC_OK;
}

/* Test hooks, inert unless their variable is set; they let a test kill a writer at a chosen
 * point instead of guessing how long a write takes.
 * FC_TEST_WRITE_STAGES = "W,R" (two file descriptors, or two FIFO paths — a process
 *   started by mpirun inherits no descriptors — opened W first, then R, at the first
 *   stage and kept): at each stage of fc_write_atomic the
 *   writer writes one byte naming it to W — 'o' temporary opened, 'h' half the bytes written,
 *   'w' all written, synced and closed, 'r' renamed over the old file, 'd' folder synced —
 *   then waits for one byte on R before it goes on (end of file on R lets it run freely).
 * FC_TEST_WRITE_DELAY_MS = N: sleep N ms before each write() and fsync(), a slow disk. */

/* A non-negative integer from a test variable's text, or -1. */
static long test_integer(const char *text, long long hi)
{
    long long v;
    char why[64];
    if (!text || fc_parse_integer(text, 0, hi, &v, why, sizeof why) != 0) return -1;
    return (long)v;
}

static void test_delay(void)
{
    long ms = test_integer(getenv("FC_TEST_WRITE_DELAY_MS"), 60000);
    if (ms > 0) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* A descriptor of the stage hook: a number, or a FIFO path opened once (the hook's only
 * state; it exists for tests alone). */
static long test_fd(const char *text, int flags, int *opened)
{
    if (!strchr(text, '/')) return test_integer(text, 1 << 20);
    if (*opened < 0) *opened = open(text, flags);
    return *opened;
}

#define FC_TEST_PATH_MAX 512
static void test_stage(char stage)
{
    static int wopen = -1, ropen = -1;
    const char *text = getenv("FC_TEST_WRITE_STAGES");
    char buf[2 * FC_TEST_PATH_MAX], ack;
    if (!text || strlen(text) >= sizeof buf) return;
    memcpy(buf, text, strlen(text) + 1);
    char *comma = strchr(buf, ',');
    if (!comma) return;
    *comma = '\0';
    long wfd = test_fd(buf, O_WRONLY, &wopen), rfd = test_fd(comma + 1, O_RDONLY, &ropen);
    if (wfd < 0 || rfd < 0) return;
    while (write((int)wfd, &stage, 1) < 0 && errno == EINTR) {
    }
    while (read((int)rfd, &ack, 1) < 0 && errno == EINTR) {
    }
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        test_delay();
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Two halves so that a test can stop the writer with the temporary file half written. */
static int write_synced(int fd, const char *p, size_t len)
{
    if (write_all(fd, p, len / 2) != 0) return -1;
    test_stage('h');
    if (write_all(fd, p + len / 2, len - len / 2) != 0) return -1;
    test_delay();
    return fsync(fd);
}

int fc_write_atomic(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return fc_err_set(FC_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    test_stage('o');
    if (write_synced(fd, data, len) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return fc_err_set(FC_EIO, "%s: write failed: %s", tmp, strerror(e));
    }
    if (close(fd) != 0) return fc_err_set(FC_EIO, "%s: close failed: %s", tmp, strerror(errno));
    test_stage('w');
    if (rename(tmp, path) != 0)
        return fc_err_set(FC_EIO, "%s: cannot rename: %s", path, strerror(errno));
    test_stage('r');
    int dfd = open(dir, O_RDONLY);
    if (dfd >= 0) { /* make the rename itself durable */
        fsync(dfd);
        close(dfd);
    }
    test_stage('d');
    return FC_OK;
}

int fc_read_file(const char *path, size_t max_bytes, char **out, size_t *len)
{
    int err = FC_OK;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    FILE *f = fopen(path, "rb");
    *out = NULL;
    if (!f) return fc_err_set(FC_EIO, "%s: cannot open: %s", path, strerror(errno));
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = cap ? 2 * cap : 65536 * 2;
            FC_CALL(fc_realloc(&buf, cap, 1));
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (n > max_bytes) FC_FAIL(FC_EDATA, "%s: larger than %zu bytes", path, max_bytes);
        if (r == 0) break;
    }
    if (ferror(f)) FC_FAIL(FC_EIO, "%s: read failed", path);
    if (!buf) FC_CALL(fc_alloc(1, 1, &buf));
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
cleanup:
    fc_free(&buf);
    fclose(f);
    return err;
}

ssize_t fc_getline(char **line, size_t *cap, FILE *f, size_t max)
{
    size_t n = 0;
    int c;
    for (;;) {
        if (n + 2 > *cap) {
            if (n + 2 > max) return -2;
            size_t ncap = *cap ? 2 * *cap : 256;
            if (ncap > max) ncap = max;
            char *b = realloc(*line, ncap); /* malloc'd like getline's, for its callers */
            if (!b) return -3;
            *line = b;
            *cap = ncap;
        }
        c = getc_unlocked(f);
        if (c == EOF) break;
        (*line)[n++] = (char)c;
        if (c == '\n' || c == '\0') break;
    }
    if (n == 0) return -1;
    (*line)[n] = '\0';
    return (ssize_t)n;
}

int fc_next_text_line(FILE *f, const char *path, size_t max, char **line, size_t *cap,
                      size_t *lineno, ssize_t *len)
{
    *len = fc_getline(line, cap, f, max);
    if (*len == -1) return FC_OK;
    ++*lineno;
    if (*len == -2)
        return fc_err_set(FC_EDATA, "%s:%zu: line longer than %zu MiB", path, *lineno, max >> 20);
    if (*len == -3)
        return fc_err_set(FC_ENOMEM, "%s:%zu: out of memory reading the line", path, *lineno);
    if (strlen(*line) != (size_t)*len)
        return fc_err_set(FC_EDATA, "%s:%zu: line contains a NUL byte (not a text file?)", path,
                          *lineno);
    return FC_OK;
}
