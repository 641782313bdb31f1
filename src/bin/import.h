/* import.h: psscript import: a folder of scripts through the asynchronous upload path */
#ifndef PSS_BIN_IMPORT_H
#define PSS_BIN_IMPORT_H

/* import_main: argv[0] is "import". Exit status: 0 when every file was imported or was a
 * duplicate, 1 when some failed, 2 on a usage, configuration, database or folder error (or
 * when the uploads stopped making progress: no psscript-worker running). */
int	 import_main(int argc, char **argv);

#endif
