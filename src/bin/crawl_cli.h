/* crawl_cli.h: psscript docs crawl: queue a documentation crawl, and with --wait follow it */
#ifndef PSS_CRAWL_CLI_H
#define PSS_CRAWL_CLI_H

/* crawl_cli_main: argv[0] is "crawl". Exit status 0 queued (or, with --wait, done), 1 the
 * crawl was refused, failed or cancelled, 2 usage or configuration. */
int	 crawl_cli_main(int argc, char **argv);

#endif
