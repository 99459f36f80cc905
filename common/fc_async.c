/* fc_async.c — delays, the staleness rule, the virtual clock and the arrivals record of
 * the asynchronous schedule (SPEC §11). */
#include "fc_async.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fc_mem.h"
#include "fc_rng.h"

/* A finite number filling [s, e): 0, or −1. */
static int number(const char *s, const char *e, double *out)
{
    char buf[64], *end;
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (isspace((unsigned char)buf[0])) return -1;
    errno = 0;
    *out = strtod(buf, &end);
    return *end != '\0' || errno == ERANGE || !isfinite(*out) ? -1 : 0;
}

static int parse_lognormal(const char *p, fc_delay_t *d, char *why, size_t wn)
{
    const char *colon = strchr(p, ':');
    if (!colon || number(p, colon, &d->mu) ||
        number(colon + 1, colon + 1 + strlen(colon + 1), &d->sigma)) {
        snprintf(why, wn, "expected lognormal:MU:SIGMA with two finite numbers, got 'lognormal:%s'",
                 p);
        return -1;
    }
    if (d->sigma < 0) {
        snprintf(why, wn, "the lognormal's sigma must be at least 0, got %g", d->sigma);
        return -1;
    }
    d->kind = FC_DELAY_LOGNORMAL;
    return 0;
}

/* One "k:seconds" entry in [s, e). */
static int parse_entry(const char *s, const char *e, fc_delay_t *d, char *why, size_t wn)
{
    const char *colon = memchr(s, ':', (size_t)(e - s));
    double k, sec;
    int len = (int)(e - s);
    if (!colon || number(s, colon, &k) || number(colon + 1, e, &sec) || k < 0 || k != floor(k) ||
        k > 1e15) {
        snprintf(why, wn, "expected CLIENT:SECONDS (a client index and a delay), got '%.*s'", len,
                 s);
        return -1;
    }
    if (sec < 0) {
        snprintf(why, wn, "a delay must be at least 0 seconds, got '%.*s'", len, s);
        return -1;
    }
    for (int i = 0; i < d->n; i++)
        if (d->client[i] == (long)k) {
            snprintf(why, wn, "client %ld is given twice", (long)k);
            return -1;
        }
    if (d->n == FC_DELAY_LIST_MAX) {
        snprintf(why, wn, "more than %d clients listed", FC_DELAY_LIST_MAX);
        return -1;
    }
    d->client[d->n] = (long)k;
    d->seconds[d->n++] = sec;
    return 0;
}

int fc_delay_parse(const char *text, fc_delay_t *out, char *why, size_t wn)
{
    fc_delay_t d;
    memset(&d, 0, sizeof d);
    if (strcmp(text, "none") == 0) {
        *out = d;
        return 0;
    }
    if (strncmp(text, "lognormal:", 10) == 0) {
        if (parse_lognormal(text + 10, &d, why, wn)) return -1;
        *out = d;
        return 0;
    }
    if (!*text || !strchr(text, ':')) {
        snprintf(why, wn, "expected none, lognormal:MU:SIGMA or CLIENT:SECONDS,..., got '%s'",
                 text);
        return -1;
    }
    d.kind = FC_DELAY_LIST;
    for (const char *s = text;;) {
        const char *e = strchr(s, ',');
        if (!e) e = s + strlen(s);
        if (parse_entry(s, e, &d, why, wn)) return -1;
        if (!*e) break;
        s = e + 1;
    }
    *out = d;
    return 0;
}

long fc_delay_max_client(const fc_delay_t *d)
{
    long best = -1;
    for (int i = 0; d->kind == FC_DELAY_LIST && i < d->n; i++)
        if (d->client[i] > best) best = d->client[i];
    return best;
}

/* Stream id of the delays, apart from every other use of (seed, k, j). */
#define DELAY_STREAM 0x64656c6179ULL /* "delay" */

double fc_delay_draw(const fc_delay_t *d, uint64_t seed, size_t k, uint64_t j)
{
    if (d->kind == FC_DELAY_LIST) {
        for (int i = 0; i < d->n; i++)
            if ((size_t)d->client[i] == k) return d->seconds[i];
        return 0.0;
    }
    if (d->kind != FC_DELAY_LOGNORMAL) return 0.0;
    fc_rng_t r;
    fc_rng_seed(&r, seed ^ DELAY_STREAM, (uint64_t)k, j);
    return exp(d->mu + d->sigma * fc_rng_normal(&r));
}

double fc_async_factor(int max_staleness, int inverse, int64_t staleness)
{
    if (max_staleness > 0 && staleness > max_staleness) return 0.0;
    return inverse ? 1.0 / (1.0 + (double)staleness) : 1.0;
}

long fc_vclock_next(size_t K, const fc_vevent_t *ev, const unsigned char *allowed)
{
    long best = -1;
    for (size_t k = 0; k < K; k++) {
        if (allowed && !allowed[k]) continue;
        if (best < 0 || ev[k].time < ev[best].time ||
            (ev[k].time == ev[best].time && ev[k].seq < ev[best].seq))
            best = (long)k;
    }
    return best;
}

#define ARRIVALS_MAGIC "# fedpc arrivals:"
#define ARRIVALS_COLUMNS "update,client,version_used,version_made,staleness,seconds"

void fc_arrivals_header(FILE *f, size_t K, uint64_t seed)
{
    fprintf(f, "%s clients=%zu seed=%" PRIu64 "\n%s\n", ARRIVALS_MAGIC, K, seed, ARRIVALS_COLUMNS);
}

void fc_arrivals_line(FILE *f, const fc_arrival_t *a)
{
    fprintf(f, "%" PRId64 ",%" PRId64 ",%" PRId64 ",", a->update, a->client, a->used);
    if (a->made >= 0) fprintf(f, "%" PRId64, a->made);
    fprintf(f, ",%" PRId64 ",%.6f\n", a->staleness, a->seconds);
}

static int bad(const char *path, long line, const char *what)
{
    return fc_err_set(FC_ECONFIG, "%s:%ld: run.replay: %s", path, line, what);
}

/* The header comment: the run it belongs to. */
static int check_header(const char *path, const char *text, size_t K, uint64_t seed)
{
    size_t k;
    uint64_t s;
    char why[160];
    if (strncmp(text, ARRIVALS_MAGIC, strlen(ARRIVALS_MAGIC)) != 0 ||
        sscanf(text + strlen(ARRIVALS_MAGIC), " clients=%zu seed=%" SCNu64, &k, &s) != 2)
        return bad(path, 1, "not an arrivals.csv (expected '" ARRIVALS_MAGIC " clients=K seed=S')");
    if (k != K || s != seed) {
        snprintf(why, sizeof why,
                 "recorded by another run (clients=%zu seed=%" PRIu64
                 "; this config has clients=%zu seed=%" PRIu64 ")",
                 k, s, K, seed);
        return bad(path, 1, why);
    }
    return FC_OK;
}

/* Fields of one data line: update,client,used,made(or empty),staleness,seconds. */
static int parse_line(char *text, fc_arrival_t *a)
{
    char *f[6], *p = text;
    int n = 0;
    for (; n < 6; n++) {
        f[n] = p;
        p = strchr(p, ',');
        if (!p) {
            n++;
            break;
        }
        *p++ = '\0';
    }
    if (n != 6 || p) return -1;
    int64_t v[5];
    for (int i = 0; i < 5; i++) {
        char *end;
        if (i == 3 && f[i][0] == '\0') {
            v[i] = -1;
            continue;
        }
        errno = 0;
        long long x = strtoll(f[i], &end, 10);
        if (end == f[i] || *end || errno || x < 0) return -1;
        v[i] = x;
    }
    double sec;
    if (number(f[5], f[5] + strlen(f[5]), &sec)) return -1;
    *a = (fc_arrival_t){v[0], v[1], v[2], v[3], v[4], sec};
    return 0;
}

/* The versions of arrival a follow those before it (version = the server's count of
 * applied updates; *version is the count before a). */
static const char *inconsistent(const fc_arrival_t *a, int64_t update, size_t K, int64_t *version)
{
    if (a->update != update) return "updates are not numbered 1, 2, ... in order";
    if (a->client >= (int64_t)K) return "names a client this config does not have";
    if (a->used + a->staleness != *version)
        return "version_used + staleness is not the version the server held then";
    if (a->made >= 0 && a->made != *version + 1) return "version_made does not follow the last";
    if (a->made < 0 && a->staleness == 0) return "a dropped update of staleness 0";
    if (a->made >= 0) (*version)++;
    return NULL;
}

int fc_replay_load(const char *path, size_t K, uint64_t seed, fc_replay_t *out)
{
    int err = FC_OK;
    char text[512];
    size_t cap = 0;
    long line = 0;
    int64_t version = 0;
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) return fc_err_set(FC_EIO, "%s: run.replay: cannot open: %s", path, strerror(errno));
    while (fgets(text, sizeof text, f)) {
        size_t n = strlen(text);
        line++;
        if (n && text[n - 1] == '\n') text[--n] = '\0';
        if (n && text[n - 1] == '\r') text[--n] = '\0';
        if (line == 1) {
            FC_CALL(check_header(path, text, K, seed));
            continue;
        }
        if (line == 2) {
            if (strcmp(text, ARRIVALS_COLUMNS) != 0)
                FC_CALL(bad(path, line, "expected the column names " ARRIVALS_COLUMNS));
            continue;
        }
        fc_arrival_t a;
        if (parse_line(text, &a)) FC_CALL(bad(path, line, "malformed line (expected 6 fields)"));
        const char *why = inconsistent(&a, (int64_t)out->n + 1, K, &version);
        if (why) FC_CALL(bad(path, line, why));
        if (out->n == cap) {
            cap = cap ? 2 * cap : 256;
            FC_CALL(fc_realloc(&out->a, cap, sizeof *out->a));
            FC_CALL(fc_realloc(&out->line, cap, sizeof *out->line));
        }
        out->line[out->n] = line;
        out->a[out->n++] = a;
    }
    if (ferror(f)) FC_FAIL(FC_EIO, "%s: run.replay: read error", path);
    if (line < 2) FC_CALL(bad(path, line ? line : 1, "no header (an empty file?)"));
    out->last_line = line;
cleanup:
    fclose(f);
    if (err) fc_replay_free(out);
    return err;
}

void fc_replay_free(fc_replay_t *r)
{
    fc_free(&r->a);
    fc_free(&r->line);
    r->n = 0;
}
