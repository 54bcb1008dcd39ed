/* cli.h: digitctl's commands.  Each lives in its own cmd_<name>.c and takes
 * the arguments after the command name (argv[0] is the command name).
 * Exit status: 0 success, 1 failure (a message was printed), 2 usage error. */
#ifndef DIGITD_CLI_H
#define DIGITD_CLI_H

#define EXIT_USAGE 2

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_recognize(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_purge(int argc, char **argv);
int cmd_train_verifier(int argc, char **argv);
int cmd_reasons(int argc, char **argv);
int cmd_retry(int argc, char **argv);
int cmd_reprocess(int argc, char **argv);

#endif
