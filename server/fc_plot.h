/* fc_plot.h — PNG plots of runs and sweeps through gnuplot (run as a program; the
 * plotting itself is gnuplot's). */
#ifndef FC_PLOT_H
#define FC_PLOT_H

#include "fc_error.h"

/* Draw the plots for dir:
 *  - dir/metrics.csv (a run): dir/convergence.png — objective gap (or ‖∇F‖ without a
 *    reference) and correction against round, log scale.
 *  - dir/sweep.csv (a sweep): dir/convergence.png with every run's curves, and when two
 *    keys were varied dir/stability.png — a heatmap of rounds to tolerance over the two
 *    keys with diverged cells marked (and the line ρ = 2δ/K when one key is
 *    algorithm.penalty). FC_EIO when neither file is there or gnuplot fails. */
FC_MUST int fc_plot_dir(const char *dir);

#endif
