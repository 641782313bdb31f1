/* docs_cli.h: psscript docs: the documentation from the command line */
#ifndef PSS_BIN_DOCS_CLI_H
#define PSS_BIN_DOCS_CLI_H

/* docs_main: argv[0] is "docs", argv[1] the command (import). Exit status: 0 done, 1 when
 * some pages failed, 2 on a usage, configuration, database or folder error. */
int	 docs_main(int argc, char **argv);

#endif
