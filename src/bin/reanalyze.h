/* reanalyze.h: psscript reanalyze: queue re-analysis jobs and follow them */
#ifndef PSS_BIN_REANALYZE_H
#define PSS_BIN_REANALYZE_H

/* reanalyze_main: argv[0] is "reanalyze". Exit status: 0 when every queued job finished
 * (or with --no-wait, once queued), 1 when some failed, 2 on a usage, configuration or
 * database error or when the jobs stopped making progress (no psscript-worker running). */
int	 reanalyze_main(int argc, char **argv);

#endif
