/* fc_ext.h — the rows that tests/ext adds to fedpc from outside the library. */
#ifndef FC_EXT_H
#define FC_EXT_H

#include "fc_algo.h"
#include "fc_family.h"
#include "fc_model.h"

extern const fc_family_ops_t fc_ext_scalar_family;
extern const fc_algo_ops_t fc_ext_gd_algorithm;
/* linear_shifted: linear regression with the prior mean as a key of its own. */
const fc_model_ops_t *fc_ext_shifted_model(void);

#endif
