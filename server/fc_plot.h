/* fc_plot.h — PNG plots of runs, sweeps and comparisons through gnuplot (run as a
 * program; the drawing itself is gnuplot's). The data and scripts go to OUT/plot/, where
 * gnuplot's messages are kept in <name>.log; the PNGs to OUT. */
#ifndef FC_PLOT_H
#define FC_PLOT_H

#include "fc_error.h"

/* Draw the plots for dir:
 *  - dir/metrics.csv (a run): convergence.png and convergence_bytes.png, 1400 x 1050
 *    pixels: five panels — objective gap F − F(θ*), ‖∇F‖, correction, test accuracy and
 *    ‖m − θ*‖ — against round, and the same against cumulative bytes. Log scales except
 *    accuracy; a gap ≤ 0 (round-off) is marked at the foot of its panel, not clamped.
 *  - dir/sweep.csv (a sweep): the same with every run's curves (a legend naming the
 *    varied keys each run's algorithm uses for up to 12 runs; beyond, colour by the key
 *    with most values on a colour bar, dash type by another), and when two keys were
 *    varied stability.png — a map over the two keys coloured by rounds to tolerance
 *    (reached, or projected for `converging` runs) or, for oscillating and stalled runs,
 *    shaded by the final gap; diverged cells `D`; Tseng's line ρ = 2δ/(αK) when one key
 *    is algorithm.penalty (AMA, FPC-iso) and the contour radius = 1 when sweep.csv has a
 *    `radius` column. Reads the verdict columns (verdict, rate, period, projected_rounds)
 *    when present, else the older `trend`. The map is W x H pixels with
 *    W = min(2600, max(1000, 300 + 95 nx)) and H = min(1800, max(700, 280 + 70 ny)) for
 *    nx x ny cells.
 * FC_EIO when neither file is there, a folder or file cannot be written (the message
 * names the path) or gnuplot fails; FC_EDATA for a malformed CSV or JSON file. */
FC_MUST int fc_plot_dir(const char *dir);

/* convergence.png and convergence_bytes.png (as above) of the n run folders dirs[0..n-1]
 * drawn together into out_dir (created if needed), for runs that were not one sweep; the
 * legend names the config keys (from each summary.json) in which the runs differ.
 * FC_EIO when a folder has no metrics.csv or out_dir cannot be written. */
FC_MUST int fc_plot_compare(int n, const char *const *dirs, const char *out_dir);

#endif
