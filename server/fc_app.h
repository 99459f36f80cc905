/* fc_app.h — the fedpc program (command line, MPI start-up, dispatch) as a function, so a
 * program that registers its own rows (fc_family_register, fc_algo_register,
 * fc_model_register) before calling it is fedpc with those rows added. */
#ifndef FC_APP_H
#define FC_APP_H

/* Run fedpc with this command line; returns the process exit status (SPEC §5). Calls
 * MPI_Init and MPI_Finalize for the commands that need MPI. */
int fc_main(int argc, char **argv);

#endif
