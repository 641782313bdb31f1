/* routes.c: the route table, the one place that says which handler answers which request:
 * one line per endpoint, in the order of API.md's sections (operations, auth, users,
 * scripts, categories, tags), then the HTML pages. The router takes the first line that
 * matches, so a literal path comes before a parameter in the same place (/search before
 * /:id, compare before :n). */
#include "config.h"

#include "core/metrics.h"
#include "handlers/app.h"
#include "handlers/library.h"
#include "handlers/uploads.h"
#include "handlers/pages.h"
#include "handlers/crawls.h"
#include "handlers/chat.h"
#include "handlers/fixes.h"
#include "handlers/sse.h"

/* A line may leave out the trailing members (page): they are NULL. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const struct route app_routes[] = {
	/* ---- Operations ---- */
	{ HTTP_GET, "/api", 0, h_api_index, "api.index" },
	{ HTTP_GET, "/api/health", 0, h_health, "health" },
	{ HTTP_GET, "/api/health/ready", 0, h_health_ready, "health.ready" },
	/* the original platform's health path (docs/compat.md) */
	{ HTTP_GET, "/health", 0, h_health, "health.original" },
	{ HTTP_GET, "/metrics", ROUTE_LOOPBACK, h_metrics, "metrics" },

	/* ---- Auth /api/auth ---- */
	{ HTTP_POST, "/api/auth/register", 0, h_auth_register, "auth.register" },
	{ HTTP_POST, "/api/auth/login", 0, h_auth_login, "auth.login" },
	{ HTTP_POST, "/api/auth/refresh", 0, h_auth_refresh, "auth.refresh" },
	{ HTTP_POST, "/api/auth/logout", ROUTE_AUTH | ROUTE_CSRF, h_auth_logout, "auth.logout" },
	{ HTTP_GET, "/api/auth/me", ROUTE_AUTH, h_auth_me, "auth.me" },
	{ HTTP_PUT, "/api/auth/user", ROUTE_AUTH | ROUTE_CSRF, h_auth_update, "auth.update" },
	{ HTTP_POST, "/api/auth/password", ROUTE_AUTH | ROUTE_CSRF, h_auth_password, "auth.password" },

	/* ---- Users /api/users ---- */
	{ HTTP_GET, "/api/users", ROUTE_AUTH | ROUTE_ADMIN, h_users_list, "users.list" },
	{ HTTP_GET, "/api/users/:id", ROUTE_AUTH, h_users_get, "users.get" },
	{ HTTP_POST, "/api/users", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_users_create, "users.create" },
	{ HTTP_PUT, "/api/users/:id", ROUTE_AUTH | ROUTE_CSRF, h_users_update, "users.update" },
	{ HTTP_DELETE, "/api/users/:id", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_users_delete, "users.delete" },
	{ HTTP_GET, "/api/users/:id/lock-events", ROUTE_AUTH | ROUTE_ADMIN, h_users_lock_events,
	  "users.lock_events" },
	{ HTTP_POST, "/api/users/:id/reset-password", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF,
	  h_users_reset_password, "users.reset_password" },

	/* ---- Scripts /api/scripts (uploads, executions and versions included) ---- */
	{ HTTP_GET, "/api/scripts", 0, h_scripts_list, "scripts.list" },
	{ HTTP_GET, "/api/scripts/search", 0, h_scripts_search, "scripts.search" },
	/* before /:id; rate limited at nginx, its body may be APP_LARGE_BODY bytes */
	{ HTTP_POST, "/api/scripts/analyze", 0, h_scripts_analyze_adhoc, "scripts.analyze_adhoc" },
	{ HTTP_GET, "/api/scripts/:id", 0, h_scripts_get, "scripts.get" },
	{ HTTP_POST, "/api/scripts", ROUTE_AUTH | ROUTE_CSRF, h_scripts_create, "scripts.create" },
	{ HTTP_POST, "/api/scripts/upload", ROUTE_AUTH | ROUTE_CSRF | ROUTE_UPLOAD, h_uploads_sync,
	  "scripts.upload" },
	{ HTTP_POST, "/api/scripts/upload/async", ROUTE_AUTH | ROUTE_CSRF | ROUTE_UPLOAD,
	  h_uploads_async, "scripts.upload_async" },
	/* the original frontend's path for files over 2 MB (script_file): the upload itself */
	{ HTTP_POST, "/api/scripts/upload/large", ROUTE_AUTH | ROUTE_CSRF | ROUTE_UPLOAD, h_uploads_sync,
	  "scripts.upload_large" },
	{ HTTP_GET, "/api/scripts/upload/status/:uploadId", ROUTE_AUTH, h_upload_status,
	  "scripts.upload_status" },
	{ HTTP_GET, "/api/scripts/upload/batch/:batchId", ROUTE_AUTH, h_upload_batch,
	  "scripts.upload_batch" },
	{ HTTP_PUT, "/api/scripts/:id", ROUTE_AUTH | ROUTE_CSRF, h_scripts_update, "scripts.update" },
	{ HTTP_DELETE, "/api/scripts/:id", ROUTE_AUTH | ROUTE_CSRF, h_scripts_delete, "scripts.delete" },
	{ HTTP_POST, "/api/scripts/delete", ROUTE_AUTH | ROUTE_CSRF, h_scripts_bulk_delete, "scripts.bulk_delete" },
	{ HTTP_POST, "/api/scripts/bulk-update", ROUTE_AUTH | ROUTE_CSRF, h_scripts_bulk_update, "scripts.bulk_update" },
	{ HTTP_GET, "/api/scripts/:id/download", 0, h_scripts_download, "scripts.download" },
	{ HTTP_GET, "/api/scripts/:id/analysis", 0, h_scripts_analysis, "scripts.analysis" },
	{ HTTP_POST, "/api/scripts/:id/analyze", ROUTE_AUTH | ROUTE_CSRF, h_scripts_analyze, "scripts.analyze" },
	{ HTTP_GET, "/api/scripts/:id/export-analysis", 0, h_scripts_export_analysis,
	  "scripts.export_analysis" },
	/* the original frontend's analysis stream (SSE over the job's state, docs/compat.md) */
	{ HTTP_GET, "/api/scripts/:id/analysis-stream", 0, h_scripts_analysis_stream,
	  "scripts.analysis_stream" },
	{ HTTP_POST, "/api/scripts/:id/execute", ROUTE_AUTH | ROUTE_CSRF, h_scripts_execute, "scripts.execute" },
	{ HTTP_GET, "/api/scripts/:id/execution-history", ROUTE_AUTH, h_executions_list, "scripts.executions" },
	{ HTTP_GET, "/api/scripts/:id/similar", 0, h_scripts_similar, "scripts.similar" },
	{ HTTP_GET, "/api/scripts/:id/versions", 0, h_versions_list, "versions.list" },
	/* compare before :n: the first route that matches answers */
	{ HTTP_GET, "/api/scripts/:id/versions/compare", 0, h_versions_compare, "versions.compare" },
	{ HTTP_GET, "/api/scripts/:id/versions/:n", 0, h_versions_get, "versions.get" },
	{ HTTP_POST, "/api/scripts/:id/revert/:n", ROUTE_AUTH | ROUTE_CSRF, h_versions_revert, "versions.revert" },
	/* the analyzer's automatic fixes (docs/analyzer.md "Applying fixes"; not in API.md) */
	{ HTTP_GET, "/api/scripts/:id/fixes", 0, h_scripts_fixes, "scripts.fixes" },
	{ HTTP_POST, "/api/scripts/:id/apply-fixes", ROUTE_AUTH | ROUTE_CSRF, h_scripts_apply_fixes,
	  "scripts.apply_fixes" },
	{ HTTP_POST, "/api/scripts/:id/apply-suggestions", 0, h_scripts_apply_suggestions_gone,
	  "scripts.apply_suggestions" },

	/* ---- Categories /api/categories ---- */
	{ HTTP_GET, "/api/categories", 0, h_categories_list, "categories.list" },
	{ HTTP_GET, "/api/categories/:id", 0, h_categories_get, "categories.get" },
	{ HTTP_GET, "/api/categories/:id/scripts", 0, h_categories_scripts, "categories.scripts" },
	{ HTTP_POST, "/api/categories", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_categories_create, "categories.create" },
	{ HTTP_PUT, "/api/categories/:id", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_categories_update, "categories.update" },
	{ HTTP_DELETE, "/api/categories/:id", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_categories_delete, "categories.delete" },

	/* ---- Tags /api/tags ---- */
	{ HTTP_GET, "/api/tags", 0, h_tags_list, "tags.list" },
	{ HTTP_GET, "/api/tags/:id", 0, h_tags_get, "tags.get" },
	{ HTTP_POST, "/api/tags", ROUTE_AUTH | ROUTE_CSRF, h_tags_create, "tags.create" },
	{ HTTP_DELETE, "/api/tags/:id", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_tags_delete, "tags.delete" },

	/* ---- Documentation: the crawler (admin), before /:id, which would take "crawls" ---- */
	{ HTTP_POST, "/api/documentation/crawl", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_crawls_start,
	  "documentation.crawl" },
	/* the original's AI crawl: 410 naming the crawl above (docs/compat.md) */
	{ HTTP_POST, "/api/documentation/crawl/ai", 0, h_crawls_ai_gone, "documentation.crawl_ai" },
	{ HTTP_POST, "/api/documentation/crawl/ai/start", 0, h_crawls_ai_gone, "documentation.crawl_ai_start" },
	{ HTTP_GET, "/api/documentation/crawl/ai/status/:id", 0, h_crawls_ai_gone,
	  "documentation.crawl_ai_status" },
	{ HTTP_GET, "/api/documentation/crawls", ROUTE_AUTH | ROUTE_ADMIN, h_crawls_list, "documentation.crawls" },
	{ HTTP_GET, "/api/documentation/crawls/:id", ROUTE_AUTH | ROUTE_ADMIN, h_crawls_get,
	  "documentation.crawls.get" },
	{ HTTP_POST, "/api/documentation/crawls/:id/cancel", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF,
	  h_crawls_cancel, "documentation.crawls.cancel" },
	/* ---- Documentation /api/documentation (services/docs.h) ---- */
	{ HTTP_GET, "/api/documentation", 0, h_docs_recent, "docs.recent" },
	{ HTTP_GET, "/api/documentation/search", 0, h_docs_search, "docs.search" },
	{ HTTP_GET, "/api/documentation/sources", 0, h_docs_sources, "docs.sources" },
	{ HTTP_GET, "/api/documentation/tags", 0, h_docs_tags, "docs.tags" },
	{ HTTP_GET, "/api/documentation/stats", 0, h_docs_stats, "docs.stats" },
	{ HTTP_GET, "/api/documentation/:id", 0, h_docs_get, "docs.get" },
	{ HTTP_POST, "/api/documentation", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_docs_create, "docs.create" },
	{ HTTP_POST, "/api/documentation/bulk", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_docs_bulk, "docs.bulk" },
	{ HTTP_DELETE, "/api/documentation/:id", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_docs_delete, "docs.delete" },
	/* ---- Analytics /api/analytics (docs/analytics.md) ---- */
	{ HTTP_GET, "/api/analytics/security", ROUTE_AUTH, h_analytics_security, "analytics.security" },
	{ HTTP_GET, "/api/analytics/usage", ROUTE_AUTH, h_analytics_usage, "analytics.usage" },
	{ HTTP_GET, "/api/analytics/categories", ROUTE_AUTH, h_analytics_categories, "analytics.categories" },
	{ HTTP_GET, "/api/analytics/summary", ROUTE_AUTH, h_analytics_summary, "analytics.summary" },
	/* ---- Chat /api/chat (docs/chat.md); /history/search before /history/:id ---- */
	{ HTTP_POST, "/api/chat", ROUTE_AUTH | ROUTE_CSRF, h_chat_ask, "chat.ask" },
	{ HTTP_GET, "/api/chat/history", ROUTE_AUTH, h_chat_history_list, "chat.history.list" },
	{ HTTP_GET, "/api/chat/history/search", ROUTE_AUTH, h_chat_history_search, "chat.history.search" },
	{ HTTP_GET, "/api/chat/history/:id", ROUTE_AUTH, h_chat_history_get, "chat.history.get" },
	{ HTTP_POST, "/api/chat/history", ROUTE_AUTH | ROUTE_CSRF, h_chat_history_save, "chat.history.save" },
	{ HTTP_DELETE, "/api/chat/history", ROUTE_AUTH | ROUTE_CSRF, h_chat_history_clear, "chat.history.clear" },
	{ HTTP_DELETE, "/api/chat/history/:id", ROUTE_AUTH | ROUTE_CSRF, h_chat_history_delete, "chat.history.delete" },
	/* the original React frontend's paths (docs/compat.md) */
	{ HTTP_GET, "/api/chat/search", ROUTE_AUTH, h_chat_search, "chat.search" },
	{ HTTP_GET, "/api/chat/categories", ROUTE_AUTH, h_chat_categories, "chat.categories" },
	{ HTTP_POST, "/api/chat/:id/category", ROUTE_AUTH | ROUTE_CSRF, h_chat_set_category, "chat.category" },

	/* ---- HTML pages (docs/pages.md) ----
	 * and the API routes only pages need: a user's logins (sessions) and unlocking an
	 * account. A page route names its template, title, redirect after success, flash
	 * message and form fields (PAGE, pages.h); most reuse the API's handler, so page and API
	 * answer from one view object. */
	{ HTTP_GET, "/", 0, h_dashboard, "page.dashboard", PAGE("dashboard", "Dashboard", NULL, NULL, NULL, 0) },

	{ HTTP_GET, "/login", 0, h_page_form, "page.login", PAGE("account/login", "Log in", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/login", 0, h_auth_login, "page.login.post",
	  PAGE("account/login", "Log in", "/", "Welcome back.",
	      FIELDS({ "login", FORM_STRING }, { "password", FORM_SECRET }, { "next", FORM_OPTIONAL }),
	      PAGE_NEXT) },
	{ HTTP_GET, "/register", 0, h_page_form, "page.register",
	  PAGE("account/register", "Create an account", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/register", 0, h_auth_register, "page.register.post",
	  PAGE("account/register", "Create an account", "/", "Your account is ready. Welcome!",
	      FIELDS({ "username", FORM_STRING }, { "email", FORM_STRING }, { "password", FORM_SECRET }), 0) },
	{ HTTP_POST, "/logout", ROUTE_AUTH | ROUTE_CSRF, h_auth_logout, "page.logout",
	  PAGE(NULL, "Log out", "/login", "You have been logged out.", NULL, 0) },

	{ HTTP_GET, "/account", ROUTE_AUTH, h_auth_sessions, "page.account",
	  PAGE("account/profile", "Your account", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/account/password", ROUTE_AUTH, h_page_form, "page.password",
	  PAGE("account/password", "Change your password", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/account/password", ROUTE_AUTH | ROUTE_CSRF, h_auth_password, "page.password.post",
	  PAGE("account/password", "Change your password", "/account",
	      "Your password was changed. Your other sessions have been signed out.",
	      FIELDS({ "currentPassword", FORM_SECRET }, { "newPassword", FORM_SECRET }), 0) },
	{ HTTP_POST, "/account/sessions/:id/revoke", ROUTE_AUTH | ROUTE_CSRF, h_auth_sessions_revoke,
	  "page.sessions.revoke", PAGE(NULL, "Your account", "/account", "The session was signed out.", NULL, 0) },
	{ HTTP_GET, "/api/auth/sessions", ROUTE_AUTH, h_auth_sessions, "auth.sessions", NULL },
	{ HTTP_DELETE, "/api/auth/sessions/:id", ROUTE_AUTH | ROUTE_CSRF, h_auth_sessions_revoke,
	  "auth.sessions.revoke", NULL },

	{ HTTP_POST, "/api/users/:id/unlock", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_users_unlock,
	  "users.unlock", NULL },
	{ HTTP_GET, "/admin/users", ROUTE_AUTH | ROUTE_ADMIN, h_users_list, "page.users",
	  PAGE("admin/users", "Users", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/admin/users/new", ROUTE_AUTH | ROUTE_ADMIN, h_page_form, "page.users.new",
	  PAGE("admin/user-new", "New user", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/admin/users", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_users_create, "page.users.create",
	  PAGE("admin/user-new", "New user", "/admin/users", "The user was created.",
	      FIELDS({ "username", FORM_STRING }, { "email", FORM_STRING }, { "password", FORM_SECRET },
	      { "role", FORM_OPTIONAL }), 0) },
	{ HTTP_GET, "/admin/users/:id", ROUTE_AUTH | ROUTE_ADMIN, h_users_get, "page.users.get",
	  PAGE("admin/user", "User", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/admin/users/:id/role", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_users_update,
	  "page.users.role", PAGE(NULL, "User", "/admin/users/:id", "The role was changed.",
	      FIELDS({ "role", FORM_STRING }), 0) },
	{ HTTP_GET, "/admin/users/:id/password", ROUTE_AUTH | ROUTE_ADMIN, h_users_get, "page.users.password",
	  PAGE("admin/user-password", "Reset a password", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/admin/users/:id/password", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_users_reset_password,
	  "page.users.password.post", PAGE("admin/user-password", "Reset a password", "/admin/users/:id",
	      "The password was reset and the user's sessions were ended.",
	      FIELDS({ "password", FORM_SECRET }), 0) },
	{ HTTP_POST, "/admin/users/:id/unlock", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_users_unlock,
	  "page.users.unlock", PAGE(NULL, "User", "/admin/users/:id", "The account was unlocked.", NULL, 0) },
	{ HTTP_GET, "/admin/users/:id/delete", ROUTE_AUTH | ROUTE_ADMIN, h_users_get, "page.users.delete",
	  PAGE("admin/user-delete", "Delete a user", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/admin/users/:id/delete", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_users_delete,
	  "page.users.delete.post", PAGE(NULL, "Delete a user", "/admin/users", "The user was deleted.", NULL, 0) },

	/* the library's pages */
	/* Literal paths before /scripts/:id. The forms' field lists are the API's members
	 * (docs/pages.md). */
	{ HTTP_GET, "/analyze", 0, h_page_analyze_form, "page.analyze",
	  PAGE("analysis/analyze", "Analyse a script", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/analyze", 0, h_page_analyze, "page.analyze.run",
	  PAGE("analysis/analyze", "Analyse a script", NULL, NULL,
	      FIELDS({ "content", FORM_STRING }), PAGE_RESULT) },
	{ HTTP_GET, "/scripts", 0, h_page_scripts, "page.scripts", PAGE("scripts/list", "Scripts", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/scripts/new", ROUTE_AUTH, h_page_script_new, "page.scripts.new",
	  PAGE("scripts/new", "New script", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/scripts", ROUTE_AUTH | ROUTE_CSRF, h_page_script_create, "page.scripts.create",
	  PAGE("scripts/new", "New script", "/scripts/:script.id", "The script was saved.",
	      FIELDS({ "title", FORM_STRING }, { "description", FORM_OPTIONAL }, { "content", FORM_STRING },
	      { "categoryId", FORM_OPTIONAL }, { "tags", FORM_LIST }, { "isPublic", FORM_BOOL },
	      { "commitMessage", FORM_OPTIONAL }), 0) },
	{ HTTP_POST, "/scripts/upload", ROUTE_AUTH | ROUTE_CSRF | ROUTE_UPLOAD, h_page_script_upload,
	  "page.scripts.upload", PAGE("scripts/new", "New script", "/scripts/:script.id", "The file was stored.",
	      FIELDS({ "title", FORM_OPTIONAL }, { "description", FORM_OPTIONAL }, { "category_id", FORM_OPTIONAL },
	      { "tags", FORM_OPTIONAL }, { "is_public", FORM_BOOL }, { "analyze_with_ai", FORM_BOOL }), 0) },
	{ HTTP_GET, "/scripts/uploads/:batchId", ROUTE_AUTH, h_page_upload_batch, "page.scripts.batch",
	  PAGE("scripts/upload-batch", "Upload progress", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/scripts/:id", 0, h_page_script, "page.script", PAGE("scripts/show", "Script", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/scripts/:id/analyze", ROUTE_AUTH | ROUTE_CSRF, h_page_script_analyze, "page.script.analyze",
	  PAGE(NULL, "Analyse again", "/scripts/:id", "The script will be analysed again.", NULL, 0) },
	{ HTTP_GET, "/scripts/:id/edit", ROUTE_AUTH, h_page_script_edit, "page.script.edit",
	  PAGE("scripts/edit", "Edit a script", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/scripts/:id/edit", ROUTE_AUTH | ROUTE_CSRF, h_page_script_update, "page.script.update",
	  PAGE("scripts/edit", "Edit a script", "/scripts/:id", "The script was saved.",
	      FIELDS({ "title", FORM_STRING }, { "description", FORM_STRING }, { "content", FORM_STRING },
	      { "categoryId", FORM_STRING }, { "tags", FORM_LIST }, { "isPublic", FORM_BOOL },
	      { "commitMessage", FORM_OPTIONAL }), 0) },
	{ HTTP_GET, "/scripts/:id/delete", ROUTE_AUTH, h_page_script_delete, "page.script.delete",
	  PAGE("scripts/delete", "Delete a script", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/scripts/:id/delete", ROUTE_AUTH | ROUTE_CSRF, h_scripts_delete, "page.script.delete.post",
	  PAGE(NULL, "Delete a script", "/scripts", "The script was deleted.", NULL, 0) },
	{ HTTP_GET, "/scripts/:id/versions", 0, h_page_versions, "page.script.versions",
	  PAGE("scripts/versions", "Versions", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/scripts/:id/versions/:n", 0, h_page_version, "page.script.version",
	  PAGE("scripts/version", "Version", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/scripts/:id/revert/:n", ROUTE_AUTH, h_page_script_revert, "page.script.revert",
	  PAGE("scripts/revert", "Revert a script", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/scripts/:id/revert/:n", ROUTE_AUTH | ROUTE_CSRF, h_versions_revert, "page.script.revert.post",
	  PAGE(NULL, "Revert a script", "/scripts/:id",
	      "The script was reverted: the old content is now its newest version.", NULL, 0) },
	{ HTTP_GET, "/scripts/:id/fixes", ROUTE_AUTH, h_page_fixes, "page.script.fixes",
	  PAGE("scripts/fixes", "Apply fixes", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/scripts/:id/fixes", ROUTE_AUTH | ROUTE_CSRF, h_scripts_apply_fixes, "page.script.fixes.apply",
	  PAGE(NULL, "Apply fixes", "/scripts/:id",
	      "The fixes were applied as a new version; it is being analysed again.",
	      FIELDS({ "version", FORM_INT }, { "contentHash", FORM_OPTIONAL }, { "findingIds", FORM_LIST },
	      { "ruleIds", FORM_LIST }), 0) },

	{ HTTP_GET, "/categories", 0, h_categories_list, "page.categories",
	  PAGE("categories/list", "Categories", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/categories/:id", 0, h_page_category, "page.category",
	  PAGE("categories/show", "Category", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/tags", 0, h_tags_list, "page.tags", PAGE("tags/list", "Tags", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/tags/:id", 0, h_page_tag, "page.tag", PAGE("tags/show", "Tag", NULL, NULL, NULL, 0) },

	{ HTTP_GET, "/analytics", ROUTE_AUTH, h_page_analytics, "page.analytics",
	  PAGE("analytics/index", "Analytics", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/analytics/rules/:ruleId", ROUTE_AUTH, h_page_analytics_rule, "page.analytics.rule",
	  PAGE("analytics/rule", "Finding", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/admin/operations", ROUTE_AUTH | ROUTE_ADMIN, h_page_operations, "page.operations",
	  PAGE("admin/operations", "Operations", NULL, NULL, NULL, 0) },

	{ HTTP_GET, "/admin/categories", ROUTE_AUTH | ROUTE_ADMIN, h_categories_list, "page.admin.categories",
	  PAGE("admin/categories", "Manage categories", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/admin/categories", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_page_category_create,
	  "page.admin.categories.create", PAGE("admin/categories", "Manage categories", "/admin/categories",
	      "The category was created.", FIELDS({ "name", FORM_STRING }, { "description", FORM_OPTIONAL }), 0) },
	{ HTTP_GET, "/admin/categories/:id", ROUTE_AUTH | ROUTE_ADMIN, h_categories_get, "page.admin.category",
	  PAGE("admin/categories-edit", "Rename a category", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/admin/categories/:id", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_page_category_update,
	  "page.admin.category.update", PAGE("admin/categories-edit", "Rename a category", "/admin/categories",
	      "The category was renamed.", FIELDS({ "name", FORM_STRING }, { "description", FORM_STRING }), 0) },
	{ HTTP_GET, "/admin/categories/:id/delete", ROUTE_AUTH | ROUTE_ADMIN, h_categories_get,
	  "page.admin.category.delete", PAGE("admin/categories-delete", "Delete a category", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/admin/categories/:id/delete", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_categories_delete,
	  "page.admin.category.delete.post", PAGE(NULL, "Delete a category", "/admin/categories",
	      "The category was deleted; its scripts have no category now.", NULL, 0) },

	/* the chat's pages (docs/pages.md, Chat); the streamed answer is POST /api/chat.
	 * /chat/delete before /chat/:id */
	{ HTTP_GET, "/chat", ROUTE_AUTH, h_page_chat, "page.chat", PAGE("chat/index", "Chat", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/chat", ROUTE_AUTH | ROUTE_CSRF, h_page_chat_ask, "page.chat.ask",
	  PAGE("chat/index", "Chat", "/chat/:historyId", NULL,
	      FIELDS({ "message", FORM_STRING }, { "scriptId", FORM_OPTIONAL }), 0) },
	{ HTTP_POST, "/chat/delete", ROUTE_AUTH | ROUTE_CSRF, h_page_chat_delete_all, "page.chat.delete_all",
	  PAGE(NULL, "Chat", "/chat", "Your conversations were deleted.", NULL, 0) },
	{ HTTP_GET, "/chat/:id", ROUTE_AUTH, h_page_chat_show, "page.chat.show",
	  PAGE("chat/show", "Conversation", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/chat/:id", ROUTE_AUTH | ROUTE_CSRF, h_page_chat_ask, "page.chat.continue",
	  PAGE("chat/show", "Conversation", "/chat/:historyId", NULL, FIELDS({ "message", FORM_STRING }), 0) },
	{ HTTP_POST, "/chat/:id/delete", ROUTE_AUTH | ROUTE_CSRF, h_page_chat_delete, "page.chat.delete",
	  PAGE(NULL, "Conversation", "/chat", "The conversation was deleted.", NULL, 0) },

	/* the documentation's pages (docs/documentation.md); /docs/cmdlet before /docs/:id */
	{ HTTP_GET, "/docs", 0, h_page_docs, "page.docs", PAGE("docs/search", "Documentation", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/docs/cmdlet/:name", 0, h_page_doc_cmdlet, "page.docs.cmdlet",
	  PAGE(NULL, "Documentation", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/docs/:id", 0, h_page_doc, "page.doc", PAGE("docs/show", "Documentation", NULL, NULL, NULL, 0) },
	{ HTTP_GET, "/admin/docs", ROUTE_AUTH | ROUTE_ADMIN, h_page_admin_docs, "page.admin.docs",
	  PAGE("admin/docs", "Manage documentation", NULL, NULL, NULL, 0) },
	/* the literal path before /admin/docs/:id/delete */
	{ HTTP_POST, "/admin/docs/sources/delete", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_docs_delete_source,
	  "page.admin.docs.source.delete", PAGE(NULL, "Manage documentation", "/admin/docs",
	      "The source's documents were deleted.", FIELDS({ "source", FORM_STRING }), 0) },
	{ HTTP_POST, "/admin/docs/:id/delete", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_docs_delete,
	  "page.admin.docs.delete", PAGE(NULL, "Manage documentation", "/admin/docs", "The document was deleted.",
	      NULL, 0) },
	/* the documentation crawler's admin page */
	{ HTTP_GET, "/admin/docs/crawls", ROUTE_AUTH | ROUTE_ADMIN, h_crawls_list, "page.admin.crawls",
	  PAGE("admin/crawls", "Documentation crawls", NULL, NULL, NULL, 0) },
	{ HTTP_POST, "/admin/docs/crawls", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_crawls_start,
	  "page.admin.crawls.start", PAGE("admin/crawls", "Documentation crawls", "/admin/docs/crawls",
	      "The crawl was queued.", FIELDS({ "url", FORM_STRING }, { "maxPages", FORM_INT },
	      { "depth", FORM_INT }, { "sameHost", FORM_BOOL }), 0) },
	{ HTTP_POST, "/admin/docs/crawls/:id/cancel", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_crawls_cancel,
	  "page.admin.crawls.cancel", PAGE(NULL, "Documentation crawls", "/admin/docs/crawls",
	      "The crawl was asked to stop.", NULL, 0) },
};
#pragma GCC diagnostic pop
const size_t app_nroutes = PSS_ARRAY_LEN(app_routes);
/* /api/chat and its history: a message past the chat's own caps (16 KB, 64 KB in all)
 * answers 400 naming messages up to APP_LARGE_BODY, not the generic 413 (docs/chat.md) */
const char *const app_large_body_paths[] = { "/api/scripts/analyze", "/api/chat", "/api/chat/history",
	NULL };
_Static_assert(PSS_ARRAY_LEN(app_routes) < METRICS_MAX_ROUTES, "raise METRICS_MAX_ROUTES");
