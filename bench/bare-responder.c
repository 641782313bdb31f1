/* bare-responder.c: the baseline for benchmarks: the smallest libfcgi responder that answers
 * every request with a fixed JSON body, the ceiling any FastCGI application here can reach. */
#include <string.h>

#include <fcgiapp.h>

int
main(void)
{
	static const char reply[] = "Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 16\r\n\r\n{\"status\":\"ok\"}\n";
	FCGX_Request req;

	FCGX_Init();
	FCGX_InitRequest(&req, 0, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(reply, (int)sizeof(reply) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
