/* chat_history.c: the asker's private chat history (services/chat.h) */
#include <string.h>

#include "services/chat.h"

static enum pss_err
history_not_built(struct json_object **out)
{
	if (out != NULL)
		*out = NULL;
	return PSS_EUNAVAIL;
}

enum pss_err
chat_history_list(const struct svc *svc, const struct viewer *v, int64_t page, int64_t limit,
    struct json_object **out, struct svc_err *err)
{
	(void)svc; (void)v; (void)page; (void)limit; (void)err;
	return history_not_built(out);
}

enum pss_err
chat_history_get(const struct svc *svc, const struct viewer *v, int64_t id, struct json_object **out)
{
	(void)svc; (void)v; (void)id;
	return history_not_built(out);
}

enum pss_err
chat_history_get_session(const struct svc *svc, const struct viewer *v, const char *session_id,
    struct json_object **out)
{
	(void)svc; (void)v; (void)session_id;
	return history_not_built(out);
}

enum pss_err
chat_history_save(const struct svc *svc, const struct viewer *v, struct json_object *body,
    struct json_object **out, struct svc_err *err)
{
	(void)svc; (void)v; (void)body; (void)err;
	return history_not_built(out);
}

enum pss_err
chat_history_delete(const struct svc *svc, const struct viewer *v, int64_t id)
{
	(void)svc; (void)v; (void)id;
	return PSS_EUNAVAIL;
}

enum pss_err
chat_history_delete_all(const struct svc *svc, const struct viewer *v, int64_t *n)
{
	(void)svc; (void)v;
	*n = 0;
	return PSS_EUNAVAIL;
}

enum pss_err
chat_history_search(const struct svc *svc, const struct viewer *v, const char *q, int64_t page,
    int64_t limit, struct json_object **out, struct svc_err *err)
{
	(void)svc; (void)v; (void)q; (void)page; (void)limit; (void)err;
	return history_not_built(out);
}
