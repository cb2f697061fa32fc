/* petrod verify --data DIR: replay every stored block from genesis into an empty in-memory
 * state and compare it with the node's LMDB state (verify.c). */
#ifndef PETROD_VERIFY_H
#define PETROD_VERIFY_H

/** Run the verify subcommand (argv[1] is "verify"). Exit status: 0 verified, 1 a mismatch or a
 *  failure to read, 2 usage, 3 a data directory refused by the start-up check (datadir_inspect,
 *  one line on stderr saying why). */
int verify_main(int argc, char **argv);

#endif
