/*
 * main.c: the aims binary's entry point. Everything lives in src/cli/, so tests and
 * other front ends can link the library without a second main().
 */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
