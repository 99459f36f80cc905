/* fuzz_util.h — helpers shared by the fuzz harnesses: one private scratch folder per
 * process (removed at exit), and writers that put the fuzzer's bytes into files there. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The harness entry point libFuzzer calls (and replay_main.c, in plain builds). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The scratch folder: created on first use (under /dev/shm when writable, else $TMPDIR
 * or /tmp) as fedpc-fuzz-PID-XXXXXX, emptied and removed at exit; folders of processes
 * that died without exiting (crashes) are removed by the next harness to start. Aborts
 * if it cannot be made. */
const char *fz_dir(void);
/* buf = fz_dir() + "/" + name; aborts if it does not fit. */
void fz_path(char *buf, size_t size, const char *name);
/* Write bytes to fz_dir()/name (truncating); aborts on I/O failure (a harness fault,
 * not a finding). */
void fz_write(const char *name, const void *data, size_t size);
/* Write bytes gzip-compressed to fz_dir()/name; keep < 1 keeps only that fraction of
 * the compressed stream (truncated gzip), keep >= 1 keeps all of it. */
void fz_write_gz(const char *name, const void *data, size_t size, double keep);
/* Remove fz_dir()/name if it exists. */
void fz_unlink(const char *name);
/* A NUL-terminated heap copy of data (stops at the first NUL); aborts on failure. */
char *fz_strndup(const uint8_t *data, size_t size);
/* A broken contract: print what and the library's last message, then abort (a finding). */
void fz_fail(const char *target, const char *what) __attribute__((noreturn));
/* The contract of a failed reader/parser call: a known code, a message, and (when
 * must_name is not NULL and the code is not FC_ENOMEM) that text in the message. */
void fz_check_error(const char *target, int err, const char *must_name);

#endif
