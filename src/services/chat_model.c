/* chat_model.c: the chat's model path: the prompt of the retrieved passages and the
 * conversation, the OpenAI-compatible completion (ai layer), and its text made safe with
 * only the retrieved sources cited (docs/chat.md "Model") */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ai.h"
#include "core/text.h"
#include "services/chat-int.h"

#define PROMPT_TURNS	6	/* earlier messages sent along */
#define PROMPT_TURN_MAX	2000	/* bytes of each */

static const char system_prompt[] =
	"You answer questions about PowerShell for the users of a script library. Answer only "
	"from the numbered sources below. Cite every claim with its source's number in square "
	"brackets, like [1]; cite no other number. When the sources do not answer the question, "
	"say so plainly and do not guess. Write short Markdown; put PowerShell code in "
	"```powershell blocks. Never write HTML.\n\nSources:\n";

static struct json_object *
message(const char *role, const char *content, size_t len)
{
	struct json_object *m = json_object_new_object();

	json_object_object_add(m, "role", json_object_new_string(role));
	json_object_object_add(m, "content", json_object_new_string_len(content, (int)len));
	return m;
}

/* a cut of n bytes of s at most max, on a UTF-8 character boundary */
static size_t
cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

int
chat_model_answer(struct chat_ctx *x, const struct chat_request *req, int64_t timeout_ms, char **md,
    bool cited[CHAT_SOURCES_MAX], char *model, size_t modelsz, const char **why)
{
	struct json_object *msgs = json_object_new_array();
	struct buf sys = BUF_INIT;
	size_t first = req->nmessages > PROMPT_TURNS + 1 ? req->nmessages - PROMPT_TURNS - 1 : 0;
	char *text = NULL, reason[300];
	enum ai_outcome r;
	size_t len;

	*md = NULL;
	memset(cited, 0, CHAT_SOURCES_MAX * sizeof(bool));
	buf_puts(&sys, system_prompt);
	if (x->np == 0)
		buf_puts(&sys, "(none: nothing in the platform fits this question)\n");
	for (size_t i = 0; i < x->np; i++)
		buf_printf(&sys, "[%zu] %s \"%s\"\n%s\n\n", i + 1, chat_source_names[x->p[i].type],
		    x->p[i].title, x->p[i].text);
	json_object_array_add(msgs, message("system", sys.data, sys.len));
	buf_free(&sys);
	/* the conversation: only the asker's own messages (never a stored system message) */
	for (size_t i = first; i < req->nmessages; i++) {
		const struct chat_message *m = &req->messages[i];

		if (m->role == CHAT_ROLE_SYSTEM)
			continue;
		json_object_array_add(msgs, message(chat_role_names[m->role], m->content,
		    cut(m->content, m->len, PROMPT_TURN_MAX)));
	}
	r = ai_chat_complete(x->svc->conf, msgs, timeout_ms, &text, reason, sizeof(reason));
	json_object_put(msgs);
	if (r != AI_OK) {
		*why = ai_outcome_name(r);
		return -1;
	}
	*md = chat_model_clean(text, x->np, cited);
	free(text);
	text_trim(*md, &len);
	if (len == 0) {
		free(*md);
		*md = NULL;
		*why = "empty_answer";
		return -1;
	}
	snprintf(model, modelsz, "llm:%s", x->svc->conf->ai_model);
	return 0;
}
