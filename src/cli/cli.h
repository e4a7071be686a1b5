/*
 * cli.h: the `aims` command-line front end. main() hands everything to cli_main().
 */
#ifndef AIMS_CLI_CLI_H
#define AIMS_CLI_CLI_H

/* Runs one aims command; returns the process exit code (0 ok, 1 failure, 2 usage). */
int cli_main(int argc, char **argv);

#endif
