/* fc_stability.c — the stability verdict of a trajectory (rules in fc_stability.h): the
 * floor, the window, period detection by lag-p differences, the least-squares trend. */
#include "fc_stability.h"

#include <cJSON.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { WINDOW_MIN = 12, PERIOD_MAX = 6, PERIODS_MIN = 3 };
#define FLOOR_DEFAULT 1e-13          /* relative to the largest value, when the caller gives none */
#define FLOOR_BAND 10.0              /* a series at the floor stays within this many floors */
#define SWING_MIN 1e-6               /* a cycle's swing (log): tiny, but 1e9 times round-off */
#define RISE_MIN 0.04879016416943205 /* log 1.05: the rises and falls of an irregular one */
#define REPEAT_TOL 0.1               /* lag-p differences constant to 10% of the swing, */
#define RETURN_TOL 0.5               /* ... or all within half the swing */
#define DROP_MIN 0.01                /* converging: log-drop of 1% over the window at least */
#define DROP_NOISE 3.0               /* ... and three times the fit's rms residual */
#define RISE_SHARE 0.25              /* irregular oscillation: a quarter rises, a quarter falls */

/* One series seen on a log scale: values at or below the floor read as the floor. */
typedef struct {
    const double *x;
    double floor;
} series_t;

static double ylog(const series_t *s, size_t t)
{
    return log(s->x[t] > s->floor ? s->x[t] : s->floor);
}

const char *fc_verdict_name(fc_verdict_t v)
{
    static const char *const names[FC_NVERDICT] = {"converged", "converging", "oscillating",
                                                   "stalled", "diverged"};
    return (unsigned)v < FC_NVERDICT ? names[v] : "?";
}

static size_t finite_prefix(const double *x, size_t n)
{
    size_t k = 0;
    while (k < n && isfinite(x[k]))
        k++;
    return k;
}

static double default_floor(const double *x, size_t n, double given)
{
    double big = 0.0;
    if (isfinite(given) && given > 0.0) return given;
    for (size_t t = 0; t < n; t++)
        big = fmax(big, fabs(x[t]));
    return big > 0.0 ? FLOOR_DEFAULT * big : DBL_MIN;
}

/* Rule 1: *end = T, the last row analysed (SIZE_MAX when no row lies above the floor);
 * true when the series reached the floor and stayed there. */
static bool find_end(const series_t *s, size_t n, size_t *end)
{
    size_t first = n;
    *end = n ? n - 1 : SIZE_MAX;
    for (size_t t = 0; t < n && first == n; t++)
        if (s->x[t] <= s->floor) first = t;
    if (first == n) return false;
    for (size_t t = first; t < n; t++)
        if (s->x[t] > FLOOR_BAND * s->floor) return false;
    *end = first ? first - 1 : SIZE_MAX;
    return true;
}

/* Rule 2: changes in the window ending at row T — a multiple of 6, so a ripple of period 2
 * or 3 on a decay cancels out of the endpoint ratio. */
static size_t window_len(size_t T)
{
    size_t w = (T + 1 + 3) / 4;
    if (w < WINDOW_MIN) w = WINDOW_MIN;
    w = (w + 5) / 6 * 6;
    return w < T ? w : T;
}

/* (x_T / x_{T-w})^(1/w) on the log scale of s. */
static double geo_rate(const series_t *s, size_t T, size_t w)
{
    return exp((ylog(s, T) - ylog(s, T - w)) / (double)w);
}

/* Rule 5 (c): every run of p successive changes in (T - w, T] has a rise and a fall. */
static bool every_period_turns(const series_t *s, size_t T, size_t w, size_t p)
{
    for (size_t k = 0; k < w / p; k++) {
        bool rise = false, fall = false;
        for (size_t i = 0; i < p; i++) {
            size_t t = T - k * p - i;
            double d = ylog(s, t) - ylog(s, t - 1);
            rise = rise || d > 0.0;
            fall = fall || d < 0.0;
        }
        if (!rise || !fall) return false;
    }
    return true;
}

/* Rule 5 (a, b, c) for period p over the last w = whole periods ending at T. */
static bool has_period(const series_t *s, size_t T, size_t w, size_t p)
{
    double mean = 0.0, dev = 0.0, big = 0.0, lo = INFINITY, hi = -INFINITY;
    size_t m = w - p; /* lag-p differences in the window */
    for (size_t t = T - m + 1; t <= T; t++)
        mean += ylog(s, t) - ylog(s, t - p);
    mean /= (double)m;
    for (size_t t = T - m + 1; t <= T; t++) {
        double d = ylog(s, t) - ylog(s, t - p);
        dev = fmax(dev, fabs(d - mean));
        big = fmax(big, fabs(d));
    }
    /* the swing of the last period once the per-round trend mean/p is taken out */
    for (size_t i = 0; i < p; i++) {
        double e = ylog(s, T - i) + mean / (double)p * (double)i;
        lo = fmin(lo, e);
        hi = fmax(hi, e);
    }
    double swing = hi - lo;
    /* the pattern repeats up to a geometric factor, or it returns near where it was one
     * period before (a cycle whose mean or amplitude still drifts) */
    bool repeats = dev <= REPEAT_TOL * swing || big <= RETURN_TOL * swing;
    return swing >= SWING_MIN && repeats && every_period_turns(s, T, w, p);
}

/* Half the peak-to-peak of x over rows (T - k, T]. */
static double half_range(const double *x, size_t T, size_t k)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < k; i++) {
        lo = fmin(lo, x[T - i]);
        hi = fmax(hi, x[T - i]);
    }
    return 0.5 * (hi - lo);
}

/* Least-squares line through y over rows [T - w, T]: the log-drop −b·w and rms residual. */
static void trend_fit(const series_t *s, size_t T, size_t w, double *drop, double *rms)
{
    double n = (double)(w + 1), tbar = (double)T - 0.5 * (double)w, ybar = 0.0, sxy = 0.0,
           sxx = 0.0, ss = 0.0;
    for (size_t t = T - w; t <= T; t++)
        ybar += ylog(s, t) / n;
    for (size_t t = T - w; t <= T; t++) {
        double u = (double)t - tbar;
        sxy += u * (ylog(s, t) - ybar);
        sxx += u * u;
    }
    double b = sxy / sxx;
    for (size_t t = T - w; t <= T; t++) {
        double r = ylog(s, t) - ybar - b * ((double)t - tbar);
        ss += r * r;
    }
    *drop = -b * (double)w;
    *rms = sqrt(ss / n);
}

/* Rule 5, irregular: a quarter of the window's changes are rises of more than 5% and a
 * quarter falls of more than 5%. */
static bool turns_often(const series_t *s, size_t T, size_t w)
{
    size_t rises = 0, falls = 0;
    for (size_t t = T - w + 1; t <= T; t++) {
        double d = ylog(s, t) - ylog(s, t - 1);
        rises += d > RISE_MIN;
        falls += d < -RISE_MIN;
    }
    return (double)rises >= RISE_SHARE * (double)w && (double)falls >= RISE_SHARE * (double)w;
}

/* projected_rounds: the round where the tolerance series would reach tol at its own
 * geometric-mean rate over rows [T - w, T]; NaN when it does not shrink or there is no tol. */
static double project(const fc_stability_input_t *in, size_t T, size_t w)
{
    const double *x = in->stop ? in->stop : in->value;
    if (!(isfinite(in->tol) && in->tol > 0.0) || !isfinite(x[T])) return NAN;
    if (x[T] <= in->tol) return (double)T;
    if (!(x[T - w] > 0.0) || !(x[T] > 0.0)) return NAN;
    double lr = (log(x[T]) - log(x[T - w])) / (double)w;
    if (!(lr < 0.0)) return NAN;
    return ceil((double)T + log(in->tol / x[T]) / lr);
}

static void set_reason(fc_stability_t *out, const char *why)
{
    snprintf(out->reason, sizeof out->reason, "%s", why);
}

/* Rules 5–7 on rows [0, T] of s (T ≥ 1, not at the floor). */
static void classify(const fc_stability_input_t *in, const series_t *s, size_t T,
                     fc_stability_t *out)
{
    size_t w = window_len(T);
    double drop, rms;
    for (size_t p = 2; p <= PERIOD_MAX; p++) {
        size_t wp = w / p * p;
        if (wp < PERIODS_MIN * p || !has_period(s, T, wp, p)) continue;
        out->verdict = FC_VERDICT_OSCILLATING;
        out->period = (int)p;
        out->rate = geo_rate(s, T, wp);
        out->amplitude = half_range(s->x, T, p);
        /* a decaying cycle: its envelope fell by 1% over the window, as for rule 6 */
        if (log(out->rate) * (double)wp <= -DROP_MIN) out->projected_rounds = project(in, T, wp);
        return;
    }
    out->rate = geo_rate(s, T, w);
    trend_fit(s, T, w, &drop, &rms);
    if (drop >= fmax(DROP_MIN, DROP_NOISE * rms)) {
        out->verdict = FC_VERDICT_CONVERGING;
        out->projected_rounds = project(in, T, w);
    } else if (turns_often(s, T, w)) {
        out->verdict = FC_VERDICT_OSCILLATING;
        out->amplitude = half_range(s->x, T, w + 1);
        set_reason(out, "irregular oscillation (no period up to 6)");
    } else {
        out->verdict = FC_VERDICT_STALLED;
        set_reason(out, out->rate > 1.0 ? "growing" : "no progress");
    }
}

static void clear(fc_stability_t *out)
{
    memset(out, 0, sizeof *out);
    out->rate = NAN;
    out->period = -1;
    out->amplitude = NAN;
    out->projected_rounds = NAN;
}

static bool stop_reached(const fc_stability_input_t *in, size_t n)
{
    return n > 0 && isfinite(in->tol) && in->tol > 0.0 && in->stop[n - 1] <= in->tol;
}

int fc_stability_assess(const fc_stability_input_t *in, fc_stability_t *out)
{
    size_t T;
    if (in->n > 0 && (!in->value))
        return fc_err_set(FC_EINVAL, "fc_stability_assess: no trajectory given");
    size_t n = finite_prefix(in->value, in->n);
    series_t s = {in->value, default_floor(in->value, n, in->floor)};
    bool at_floor = find_end(&s, n, &T);
    clear(out);
    if (in->stop && at_floor && !in->converged && !in->diverged &&
        !stop_reached(in, finite_prefix(in->stop, in->n))) {
        /* The gap hits round-off while ‖∇F‖ is still ~sqrt(ε) of its scale: judge by
         * the tolerance series itself. */
        fc_stability_input_t by_stop = *in;
        by_stop.value = in->stop;
        by_stop.stop = NULL;
        by_stop.floor = NAN;
        int err = fc_stability_assess(&by_stop, out);
        if (!err && !out->reason[0]) set_reason(out, "gap at the floating-point floor");
        return err;
    }
    bool measurable = T != SIZE_MAX && T >= 1;
    if (measurable) out->rate = geo_rate(&s, T, window_len(T));
    if (in->diverged) {
        out->verdict = FC_VERDICT_DIVERGED;
        set_reason(out, in->diverged);
    } else if (in->converged || at_floor) {
        out->verdict = FC_VERDICT_CONVERGED;
        if (!in->converged) set_reason(out, "floating-point floor");
    } else if (!measurable) {
        out->verdict = FC_VERDICT_STALLED;
        set_reason(out, "too few rounds to measure");
    } else {
        classify(in, &s, T, out);
    }
    return FC_OK;
}

/* ---------------------------------------------------------------- output */

static cJSON *add_num(cJSON *obj, const char *key, double v)
{
    return isfinite(v) ? cJSON_AddNumberToObject(obj, key, v) : cJSON_AddNullToObject(obj, key);
}

int fc_stability_to_json(cJSON *parent, const fc_stability_t *s)
{
    cJSON *obj = cJSON_CreateObject();
    bool ok = obj && cJSON_AddStringToObject(obj, "verdict", fc_verdict_name(s->verdict));
    ok = ok && add_num(obj, "rate", s->rate);
    ok = ok && add_num(obj, "period", s->period > 0 ? (double)s->period : NAN);
    ok = ok && add_num(obj, "amplitude", s->amplitude);
    ok = ok && add_num(obj, "projected_rounds", s->projected_rounds);
    ok = ok && (s->reason[0] ? cJSON_AddStringToObject(obj, "reason", s->reason) != NULL
                             : cJSON_AddNullToObject(obj, "reason") != NULL);
    ok = ok && cJSON_AddItemToObject(parent, "stability", obj);
    if (!ok) {
        cJSON_Delete(obj);
        return fc_err_set(FC_ENOMEM, "summary.json: out of memory for the stability object");
    }
    return FC_OK;
}

const char *fc_stability_csv_header(void)
{
    return "verdict,rate,period,amplitude,projected_rounds";
}

static void fmt_field(char *buf, size_t size, const char *fmt, double v)
{
    if (isfinite(v))
        snprintf(buf, size, fmt, v);
    else
        buf[0] = '\0';
}

int fc_stability_csv_row(char *buf, size_t size, const fc_stability_t *s)
{
    char rate[32], period[16] = "", amp[32], proj[32];
    fmt_field(rate, sizeof rate, "%.6g", s->rate);
    if (s->period > 0) snprintf(period, sizeof period, "%d", s->period);
    fmt_field(amp, sizeof amp, "%.6g", s->amplitude);
    fmt_field(proj, sizeof proj, fabs(s->projected_rounds) < 1e15 ? "%.0f" : "%.6g",
              s->projected_rounds);
    int n =
        snprintf(buf, size, "%s,%s,%s,%s,%s", fc_verdict_name(s->verdict), rate, period, amp, proj);
    if (n < 0 || (size_t)n >= size)
        return fc_err_set(FC_EINVAL, "fc_stability_csv_row: buffer of %zu bytes too small", size);
    return FC_OK;
}
