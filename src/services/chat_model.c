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

/* the request's messages: the rules and the passages, then the conversation */
static struct json_object *
prompt(const struct chat_ctx *x, const struct chat_request *req)
{
	struct json_object *msgs = json_object_new_array();
	struct buf sys = BUF_INIT;
	size_t first = req->nmessages > PROMPT_TURNS + 1 ? req->nmessages - PROMPT_TURNS - 1 : 0;

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
		    utf8_cut(m->content, m->len, PROMPT_TURN_MAX)));
	}
	return msgs;
}

/* the model's text made safe; 0, or -1 with why when nothing is left of it */
static int
finish(struct chat_ctx *x, char *text, char **md, bool cited[CHAT_SOURCES_MAX], char *model,
    size_t modelsz, const char **why)
{
	size_t len;

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

int
chat_model_answer(struct chat_ctx *x, const struct chat_request *req, int64_t timeout_ms, char **md,
    bool cited[CHAT_SOURCES_MAX], char *model, size_t modelsz, const char **why)
{
	struct json_object *msgs = prompt(x, req);
	char *text = NULL, reason[300];
	enum ai_outcome r;

	*md = NULL;
	memset(cited, 0, CHAT_SOURCES_MAX * sizeof(bool));
	r = ai_chat_complete(x->svc->conf, msgs, timeout_ms, &text, reason, sizeof(reason));
	json_object_put(msgs);
	if (r != AI_OK) {
		*why = ai_outcome_name(r);
		return -1;
	}
	return finish(x, text, md, cited, model, modelsz, why);
}

/* The streamed answer's state: the model's raw text so far, and the safe text the reader
 * has (what chat_model_clean makes of the raw text up to its last newline, as long as each
 * such cut extends the previous one). */
struct stream {
	struct chat_ctx	*x;
	chat_chunk_fn	 chunk;
	void		*arg;
	struct buf	 raw;
	size_t		 cut;		/* raw bytes cleaned and sent so far */
	struct buf	 sent;		/* the safe text the reader has */
	bool		 diverged;	/* a later cut did not extend what was sent: wait for the end */
	bool		 gone;		/* the reader left */
	bool		 reset;		/* the reader must drop what it has */
};

static void
send(struct stream *st, const char *p, size_t n)
{
	if (st->gone || n == 0)
		return;
	if (st->reset) {
		st->reset = false;
		if (st->chunk(st->arg, NULL, 0) != 0) {
			st->gone = true;
			return;
		}
	}
	if (st->chunk(st->arg, p, n) != 0)
		st->gone = true;
}

/* what is safe of raw[0..n) beyond what was sent; a cut that does not extend it: wait */
static void
advance(struct stream *st, size_t n)
{
	bool cited[CHAT_SOURCES_MAX];
	char *raw = xstrndup(st->raw.data, n), *safe = chat_model_clean(raw, st->x->np, cited);
	size_t len = strlen(safe);

	free(raw);
	if (len >= st->sent.len && memcmp(safe, st->sent.data != NULL ? st->sent.data : "",
	    st->sent.len) == 0) {
		send(st, safe + st->sent.len, len - st->sent.len);
		buf_append(&st->sent, safe + st->sent.len, len - st->sent.len);
	} else
		st->diverged = true;
	free(safe);
}

static void
on_delta(void *arg, const char *text, size_t len)
{
	struct stream *st = arg;
	const char *nl;

	buf_append(&st->raw, text, len);
	if (st->diverged || (nl = memrchr(st->raw.data + st->cut, '\n', st->raw.len - st->cut)) == NULL)
		return;
	st->cut = (size_t)(nl - st->raw.data) + 1;
	advance(st, st->cut);
}

int
chat_model_stream(struct chat_ctx *x, const struct chat_request *req, int64_t timeout_ms,
    chat_chunk_fn chunk, void *arg, char **md, bool cited[CHAT_SOURCES_MAX], char *model,
    size_t modelsz, const char **why, bool *sent)
{
	struct json_object *msgs = prompt(x, req);
	struct stream st = { .x = x, .chunk = chunk, .arg = arg, .raw = BUF_INIT, .sent = BUF_INIT };
	char *text = NULL, reason[300];
	enum ai_outcome r;
	int rc;

	*md = NULL;
	memset(cited, 0, CHAT_SOURCES_MAX * sizeof(bool));
	r = ai_chat_stream(x->svc->conf, msgs, timeout_ms, on_delta, &st, &text, reason,
	    sizeof(reason));
	json_object_put(msgs);
	*sent = st.sent.len > 0;
	if (r != AI_OK) {
		*why = ai_outcome_name(r);
		rc = -1;
	} else if ((rc = finish(x, text, md, cited, model, modelsz, why)) == 0) {
		size_t len = strlen(*md);

		/* the rest; or, when the whole does not extend what was sent, the whole again */
		if (len >= st.sent.len && memcmp(*md, st.sent.data != NULL ? st.sent.data : "",
		    st.sent.len) == 0)
			send(&st, *md + st.sent.len, len - st.sent.len);
		else {
			st.reset = true;
			send(&st, *md, len);
		}
	}
	buf_free(&st.raw);
	buf_free(&st.sent);
	return rc;
}
