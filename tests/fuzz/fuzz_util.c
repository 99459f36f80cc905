/* fuzz_util.c — the harnesses' scratch folder and file writers (see fuzz_util.h). */
#include "fuzz_util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fc_error.h"

static char scratch[512];

static void die(const char *what)
{
    perror(what);
    abort();
}

/* Empty a scratch folder (files only; the harnesses make no subfolders) and remove it. */
static void remove_folder(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    if (d) {
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

static void scratch_remove(void)
{
    if (!scratch[0]) return;
    remove_folder(scratch);
    scratch[0] = '\0';
}

/* Folders left by harness processes that died without running atexit (every crash and
 * OOM libFuzzer reports ends that way): "fedpc-fuzz-PID-XXXXXX" with PID gone. */
static void scratch_reap(const char *base)
{
    DIR *d = opendir(base);
    struct dirent *e;
    char path[1024];
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        long pid;
        if (sscanf(e->d_name, "fedpc-fuzz-%ld-", &pid) != 1 || pid <= 0) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive (or not ours) */
        snprintf(path, sizeof path, "%s/%s", base, e->d_name);
        remove_folder(path);
    }
    closedir(d);
}

const char *fz_dir(void)
{
    const char *base;
    if (scratch[0]) return scratch;
    base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    scratch_reap(base);
    snprintf(scratch, sizeof scratch, "%s/fedpc-fuzz-%ld-XXXXXX", base, (long)getpid());
    if (!mkdtemp(scratch)) die("mkdtemp");
    atexit(scratch_remove);
    return scratch;
}

void fz_path(char *buf, size_t size, const char *name)
{
    int w = snprintf(buf, size, "%s/%s", fz_dir(), name);
    if (w < 0 || (size_t)w >= size) die("fz_path: path too long");
}

void fz_write(const char *name, const void *data, size_t size)
{
    char path[1024];
    FILE *f;
    fz_path(path, sizeof path, name);
    f = fopen(path, "wb");
    if (!f) die(path);
    if (size && fwrite(data, 1, size, f) != size) die(path);
    if (fclose(f) != 0) die(path);
}

void fz_write_gz(const char *name, const void *data, size_t size, double keep)
{
    uLong cap = compressBound((uLong)size) + 64, used;
    unsigned char *buf = malloc(cap);
    z_stream z;
    if (!buf) die("malloc");
    /* gzip framing (windowBits 15 + 16), so zlib's gzread sees a real .gz stream. */
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) die("deflate");
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)size;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) die("deflate");
    used = z.total_out;
    deflateEnd(&z);
    if (keep < 1.0) used = (uLong)((double)used * (keep < 0.0 ? 0.0 : keep));
    fz_write(name, buf, used);
    free(buf);
}

void fz_unlink(const char *name)
{
    char path[1024];
    fz_path(path, sizeof path, name);
    unlink(path);
}

char *fz_strndup(const uint8_t *data, size_t size)
{
    size_t n = 0;
    char *s;
    while (n < size && data[n])
        n++;
    s = malloc(n + 1);
    if (!s) die("malloc");
    memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

void fz_fail(const char *target, const char *what)
{
    fprintf(stderr, "fuzz_%s: contract broken: %s\n  last message: %s\n", target, what,
            fc_err_msg());
    abort();
}

void fz_check_error(const char *target, int err, const char *must_name)
{
    const char *msg = fc_err_msg();
    if (err <= FC_OK || err >= FC_NERR) fz_fail(target, "error code out of range");
    if (err == FC_ENOTSPD || err == FC_ENUMERIC || err == FC_EMPI)
        fz_fail(target, "a reader returned a numerical or MPI error code");
    if (!msg[0]) fz_fail(target, "error without a message");
    if (must_name && err != FC_ENOMEM && !strstr(msg, must_name))
        fz_fail(target, "the message does not name the file");
}
