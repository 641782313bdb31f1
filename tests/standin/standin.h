/* standin.h: start and stop tests/standin/ai-standin.py, the loopback stand-in of the remote AI
 * services, from a C test (header only) */
#ifndef PSS_STANDIN_H
#define PSS_STANDIN_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct standin {
	pid_t	 pid;
	int	 port;
	char	 dir[64];
	char	 url[64];	/* http://127.0.0.1:PORT */
};

/* standin_start: runs the stand-in (python3, from $PSS_SRCDIR or srcdir) in mode; 0 once it
 * listens, -1 when it did not start within 10 s. */
static int __attribute__((unused))
standin_start(struct standin *s, const char *mode)
{
	const char *src = getenv("PSS_SRCDIR");
	char script[1024], portfile[128];

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/pss-standin.XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return -1;
	snprintf(script, sizeof(script), "%s/tests/standin/ai-standin.py", src != NULL ? src : ".");
	snprintf(portfile, sizeof(portfile), "%s/port", s->dir);
	if ((s->pid = fork()) < 0)
		return -1;
	if (s->pid == 0) {
		execlp("python3", "python3", script, portfile, mode, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(portfile, "r");
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (f != NULL) {
			int ok = fscanf(f, "%d", &s->port) == 1;

			fclose(f);
			if (ok) {
				snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
				return 0;
			}
		}
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
			s->pid = 0;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* standin_mode: sets the stand-in's mode (ai-standin.py's MODE); 0 when it took it. */
static int __attribute__((unused))
standin_mode(const struct standin *s, const char *mode)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "curl -sf -o /dev/null '%s/_mode?set=%s'", s->url, mode);
	return system(cmd) == 0 ? 0 : -1;
}

/* standin_stop: ends the stand-in and removes its folder. */
static void __attribute__((unused))
standin_stop(struct standin *s)
{
	char path[128];

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	snprintf(path, sizeof(path), "%s/port", s->dir);
	unlink(path);
	rmdir(s->dir);
}

#endif
