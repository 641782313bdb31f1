/* fuzz-ps-parse.c: libFuzzer driver for the PowerShell parser (ps_parse)
 *
 * Build and run (from the source tree, with a configured build dir for config.h):
 *   clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -I src -I "$BUILD" \
 *       tests/fuzz/fuzz-ps-parse.c src/analyzer/lex.c src/analyzer/parse.c \
 *       src/analyzer/parse_post.c "$BUILD"/src/core/libcore.a -lm -o /tmp/fuzz-ps-parse
 *   /tmp/fuzz-ps-parse -max_total_time=120 tests/fuzz/corpus/ps
 *
 * Checks, besides the sanitizers: every node reached by the walker lies inside
 * the input and inside its parent's extent, every node of the flat indexes is in the
 * tree, and the parser never reports nodes outside the tree.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyzer/ps_ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct check {
	size_t	 len;
	size_t	 nodes;
};

static int
visit(struct ps_node *n, void *arg)
{
	struct check *c = arg;

	c->nodes++;
	if (n->kind >= PS_NODE__MAX || n->ext.start > n->ext.end || n->ext.end > c->len)
		__builtin_trap();
	if (n->parent != NULL && (n->ext.start < n->parent->ext.start || n->ext.end > n->parent->ext.end))
		__builtin_trap();
	(void)ps_node_kind_name((enum ps_node_kind)n->kind);
	return PS_WALK_CONTINUE;
}

static void
in_tree(const struct ps_ast *a, const struct ps_nodes *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ps_node *n = l->v[i];
		size_t hops = 0;

		while (n->parent != NULL && hops++ < 100000)
			n = n->parent;
		if (n != a->root)
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ps_ast *a = ps_parse((const char *)data, len);
	struct check c = { len, 0 };

	ps_ast_walk(a->root, visit, &c);
	in_tree(a, &a->commands);
	in_tree(a, &a->variables);
	in_tree(a, &a->strings);
	in_tree(a, &a->members);
	in_tree(a, &a->functions);
	for (size_t i = 0; i < a->ndiags; i++)
		if (strncmp(a->diags[i].msg, "internal:", 9) == 0)
			__builtin_trap();
	for (size_t i = 0; i < a->commands.n; i++)
		(void)ps_cmd_arg_find(a->commands.v[i], "ComputerName");
	ps_ast_free(a);
	return 0;
}
