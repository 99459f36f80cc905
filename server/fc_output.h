/* fc_output.h — the files of a run (SPEC §7): metrics.csv (one row per round, flushed as
 * it goes so nothing already written is lost), mean.txt and summary.json (written
 * atomically: temporary file, fsync, rename).
 * Ownership: fc_output_t owns its file handle; strings passed in are borrowed. */
#ifndef FC_OUTPUT_H
#define FC_OUTPUT_H

#include <stddef.h>

#include "fc_config.h"
#include "fc_error.h"
#include "fc_file.h"
#include "fc_stability.h"

/* One row of metrics.csv; NaN means "does not apply" and is written as an empty field. */
typedef struct {
    int round;
    double seconds, objective, grad_norm, dist_to_opt, correction, test_loss, test_accuracy;
    double bytes;
    /* SPEC §10 (empty unless algorithm.expectation is not point): KL(q_t ‖ q*), the ELBO,
     * and the posterior predictive test loss and accuracy. */
    double kl_to_opt, elbo, test_loss_bayes, test_accuracy_bayes;
} fc_metrics_t;

typedef struct fc_output fc_output_t;

/* Create the folder (and parents) and a fresh metrics.csv with its header. */
FC_MUST int fc_output_open(const char *dir, fc_output_t **out);
void fc_output_close(fc_output_t **o);
FC_MUST int fc_output_row(fc_output_t *o, const fc_metrics_t *m);
/* mean.txt: one value per line, %.17g. */
FC_MUST int fc_output_mean(const char *dir, size_t d, const double *m);
/* variance.txt (SPEC §10): the diagonal of S⁻¹, one value per line, %.17g. */
FC_MUST int fc_output_variance(const char *dir, size_t d, const double *var);

typedef struct {
    const char *status;              /* converged | diverged | max_rounds */
    const fc_stability_t *stability; /* the measured verdict, or NULL */
    double radius;                   /* linearised spectral radius at θ*, NaN if none */
    const char *reason;              /* why it diverged, or NULL */
    int rounds;
    fc_metrics_t final;
    double theta_star_objective; /* NaN without reference */
    double wall_seconds;
    int ranks;
    size_t clients;
    size_t parameters;
} fc_summary_t;

/* summary.json: the config echo, then the summary. */
FC_MUST int fc_output_summary(const char *dir, const fc_config_t *c, const fc_summary_t *s);

#endif
