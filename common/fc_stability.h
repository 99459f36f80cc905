/* fc_stability.h — the stability verdict of a run, measured from its trajectory (the
 * per-round objective gap, or ‖∇F‖ without a reference): converged, converging (with its
 * linear rate and the projected rounds to tolerance), oscillating (period, amplitude),
 * stalled or diverged. MPI-free; no allocation: every input array is borrowed.
 *
 * The rules (all on y_t = log x_t of the watched series x):
 *  1. Rows are taken up to the first non-finite value. A row is "at the floor" when
 *     x_t <= floor (round-off: a gap may come out 0 or negative). When some row is at the
 *     floor and every later row stays within 10 floor, the run has reached the
 *     floating-point floor and the analysis ends at the last row above the floor before it
 *     (T). Otherwise floor rows are read as x = floor and T is the last row. When the
 *     watched series reached the floor but a separate tolerance series (stop) has not
 *     reached tol, the verdict is that of stop (a gap reaches round-off while ‖∇F‖ is
 *     still near sqrt(ε) of its scale), with reason "gap at the floating-point floor".
 *  2. The window is the last W changes: max(12, ceil((T + 1) / 4)) rounded up to a multiple
 *     of 6 (whole periods of a 2- or 3-cycle), at most T.
 *  3. rate = (x_T / x_{T-W})^(1/W), the geometric-mean factor per round over the window
 *     (for an oscillation: over the largest whole number of periods in the window). It is
 *     reported for every verdict where at least two rows exist.
 *  4. Diverged (the caller gives the reason) wins, then converged (the caller's stopping
 *     rule held, or the series reached the floor: reason "floating-point floor").
 *  5. Oscillating with period p, the smallest p in 2..6 with at least three whole periods
 *     in the window such that (a) the pattern repeats: the lag-p differences y_t − y_{t-p}
 *     are constant to within 10% of the swing of the detrended series over the last
 *     period (a cycle with geometric decay or growth), or all within half that swing (a
 *     cycle whose mean or amplitude still drifts), (b) that swing is at least 1e-6 (an
 *     unstable AMA run at a gap of 1e6 swings by 0.1%–4%; round-off is 1e-16), and (c)
 *     every period of the window has at least one rise and one fall (the sign pattern of
 *     successive changes). Amplitude: half the peak-to-peak of x over the last period (in
 *     the units of x). When no period is found but at least a quarter of the changes in
 *     the window are rises of more than 5%, a quarter are falls of more than 5%, and the
 *     series made no progress (rule 6), the run is oscillating with period −1
 *     ("irregular"), its amplitude half the peak-to-peak of x over the window.
 *  6. Converging when the least-squares slope b of y over the window gives a drop −bW of at
 *     least max(0.01, 3 s) (s: rms residual of the fit): at least 1% over the window and
 *     clear of the noise.
 *  7. Otherwise stalled (reason "no progress" or "growing" when rate > 1).
 *  projected_rounds: the round at which the tolerance series would reach tol if it kept
 *  shrinking at its own geometric-mean rate over the same window, ceil(T + log(tol/s_T) /
 *  log rate_s); for converging runs and oscillations whose envelope fell by 1% or more
 *  over the window, NaN otherwise. Round t is row t. */
#ifndef FC_STABILITY_H
#define FC_STABILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "fc_error.h"

typedef struct cJSON cJSON;

typedef enum {
    FC_VERDICT_CONVERGED,
    FC_VERDICT_CONVERGING,
    FC_VERDICT_OSCILLATING,
    FC_VERDICT_STALLED,
    FC_VERDICT_DIVERGED,
    FC_NVERDICT
} fc_verdict_t;

/* What the verdict is computed from (all borrowed). */
typedef struct {
    size_t n;             /* rows, round t = 0..n-1 */
    const double *value;  /* the watched series: objective gap, or ‖∇F‖ without a reference */
    const double *stop;   /* the series run.tol applies to (‖∇F‖); NULL = value */
    double tol;           /* absolute threshold on stop; NaN or <= 0: none */
    double floor;         /* round-off level of value (e.g. 64 ε max(1, |F(θ*)|) for the
                             gap); NaN or <= 0: 1e-13 max_t |value_t| */
    bool converged;       /* the run met its stopping rule */
    const char *diverged; /* why the run diverged, NULL if it did not */
} fc_stability_input_t;

enum { FC_STABILITY_REASON_CAP = 96 };

typedef struct {
    fc_verdict_t verdict;
    double rate;             /* geometric-mean factor per round over the window, NaN */
    int period;              /* oscillating: 2..6, −1 irregular or not oscillating */
    double amplitude;        /* oscillating: half peak-to-peak over the last period, NaN */
    double projected_rounds; /* round at which tol would be reached, NaN */
    char reason[FC_STABILITY_REASON_CAP]; /* "" or a short phrase without commas */
} fc_stability_t;

/* The verdict's word: "converged", "converging", "oscillating", "stalled", "diverged". */
const char *fc_verdict_name(fc_verdict_t v);

/* Assess the trajectory in *in (rules above) into *out. FC_EINVAL when value (or stop)
 * is NULL with n > 0. */
FC_MUST int fc_stability_assess(const fc_stability_input_t *in, fc_stability_t *out);

/* Add to parent the object "stability": {verdict, rate, period, amplitude,
 * projected_rounds, reason} — numbers, or null where they do not apply. FC_ENOMEM when
 * cJSON cannot allocate (parent is then unchanged). */
FC_MUST int fc_stability_to_json(cJSON *parent, const fc_stability_t *s);

/* sweep.csv columns: "verdict,rate,period,amplitude,projected_rounds" (no trailing comma). */
const char *fc_stability_csv_header(void);

/* The matching fields into buf ("converging,0.99318,,,1520"; empty where they do not
 * apply; %.6g for rate and amplitude, an integer for the rounds). FC_EINVAL when size is
 * too small (FC_STABILITY_CSV_CAP always suffices). */
enum { FC_STABILITY_CSV_CAP = 96 };
FC_MUST int fc_stability_csv_row(char *buf, size_t size, const fc_stability_t *s);

#endif
