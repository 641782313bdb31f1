/* analyze_cli.h: `psscript analyze`, the command-line linter (works without a database) */
#ifndef PSS_ANALYZER_ANALYZE_CLI_H
#define PSS_ANALYZER_ANALYZE_CLI_H

/*
 * analyze_cli_main: argv[0] is "analyze". Analyses FILE, DIR (recursively: *.ps1, *.psm1,
 * *.psd1) or - (standard input) and prints text, json or sarif to standard output.
 * Returns the exit status: 0 when no finding is at or above --fail-on (default error),
 * 1 when one is, 2 on a usage or I/O error.
 */
int analyze_cli_main(int argc, char **argv);

#endif
