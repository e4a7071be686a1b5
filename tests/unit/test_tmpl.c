/*
 * test_tmpl.c: the Mustache-subset renderer (http/tmpl.c) through tmpl_render_text.
 *
 * Covers escaping by default (& < > " ') and raw triple braces, dotted names and
 * array indexes (items.0.name), sections over arrays, objects and truthy values,
 * inverted sections, name resolution outwards from inside a section, nested sections
 * of the same name, comments, numbers, missing names, and the failure modes: an
 * unclosed section or tag, a stray closing tag, a missing include, output over the
 * buffer's cap, and self-nesting deep enough to exhaust the stack (must fail cleanly).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "http/tmpl.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Renders tpl with the JSON context text; returns the output (free it) and the status. */
static char *render(const char *tpl, const char *ctx_json, int *rc_out, struct err *e)
{
	json_error_t jerr;
	json_t *ctx = json_loads(ctx_json, 0, &jerr);
	if (!ctx)
		fail_msg("bad test context %s: %s", ctx_json, jerr.text);
	struct buf out = BUF_INIT(1 << 20);
	*rc_out = tmpl_render_text(tpl, strlen(tpl), ctx, &out, e);
	json_decref(ctx);
	return buf_detach(&out, NULL);
}

/* Renders and expects success with exactly `want`. */
static void expect(const char *tpl, const char *ctx_json, const char *want)
{
	struct err e = ERR_INIT;
	int rc;
	char *got = render(tpl, ctx_json, &rc, &e);
	if (rc != 0 || strcmp(got, want) != 0) {
		print_error("template: %s\ncontext:  %s\nwant:     %s\ngot:      %s (rc %d: %s)\n", tpl,
			    ctx_json, want, got, rc, e.message);
		free(got);
		err_release(&e);
		fail();
	}
	free(got);
	err_release(&e);
}

/* Renders and expects failure with code `want_rc`; returns nothing, frees everything. */
static void expect_error(const char *tpl, const char *ctx_json, int want_rc, const char *message_part)
{
	struct err e = ERR_INIT;
	int rc;
	char *got = render(tpl, ctx_json, &rc, &e);
	free(got);
	bool message_ok = !message_part || strstr(e.message, message_part);
	char message[sizeof e.message];
	memcpy(message, e.message, sizeof message);
	err_release(&e);
	if (rc != want_rc || !message_ok)
		fail_msg("template %.60s: want rc %d with \"%s\", got rc %d: \"%s\"", tpl, want_rc,
			 message_part ? message_part : "", rc, message);
}

static void test_plain_text(void **state)
{
	(void)state;
	expect("", "{}", "");
	expect("no tags here, 한국어 <b>as is</b>", "{}", "no tags here, 한국어 <b>as is</b>");
	expect("single { and } braces", "{}", "single { and } braces");
}

static void test_escaping(void **state)
{
	(void)state;
	expect("{{v}}", "{\"v\":\"<script>alert(\\\"x\\\")</script>&'\"}",
	       "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
	expect("<a title=\"{{t}}\">", "{\"t\":\"\\\" onmouseover=\\\"x\"}",
	       "<a title=\"&quot; onmouseover=&quot;x\">");
	expect("{{ v }}", "{\"v\":\"a&b\"}", "a&amp;b"); /* blanks inside the braces */
	expect("{{v}}", "{\"v\":\"민원 상담\"}", "민원 상담");
}

static void test_triple_brace_is_raw(void **state)
{
	(void)state;
	expect("{{{html}}}", "{\"html\":\"<b>bold</b> & 'q'\"}", "<b>bold</b> & 'q'");
	expect("[{{{html}}}|{{html}}]", "{\"html\":\"<i>\"}", "[<i>|&lt;i&gt;]");
}

static void test_dotted_names(void **state)
{
	(void)state;
	const char *ctx = "{\"a\":{\"b\":{\"c\":\"deep\"}},\"user\":{\"name\":\"Kim\"}}";
	expect("{{a.b.c}}", ctx, "deep");
	expect("{{user.name}}", ctx, "Kim");
	expect("[{{a.x.c}}]", ctx, "[]");
	expect("[{{a.b.c.d}}]", ctx, "[]");
	expect("[{{user.name.first}}]", ctx, "[]");
}

static void test_array_index(void **state)
{
	(void)state;
	const char *ctx = "{\"items\":[{\"name\":\"first\"},{\"name\":\"second\"}],\"tags\":[\"x\",\"y\"]}";
	expect("{{items.0.name}}/{{items.1.name}}", ctx, "first/second");
	expect("[{{items.5.name}}]", ctx, "[]");
	expect("{{tags.1}}", ctx, "y");
	expect("[{{tags.x}}]", ctx, "[]");
}

static void test_array_sections(void **state)
{
	(void)state;
	expect("{{#items}}[{{n}}]{{/items}}", "{\"items\":[{\"n\":\"a\"},{\"n\":\"b\"},{\"n\":\"c\"}]}",
	       "[a][b][c]");
	expect("{{#tags}}({{.}}){{/tags}}", "{\"tags\":[\"x\",\"y&z\"]}", "(x)(y&amp;z)");
	expect("a{{#items}}never{{/items}}b", "{\"items\":[]}", "ab");
	/* nested arrays */
	expect("{{#rows}}<{{#cells}}{{.}}{{/cells}}>{{/rows}}",
	       "{\"rows\":[{\"cells\":[1,2]},{\"cells\":[3]}]}", "<12><3>");
}

static void test_object_and_truthy_sections(void **state)
{
	(void)state;
	expect("{{#user}}Hi {{name}}{{/user}}", "{\"user\":{\"name\":\"Kim\"}}", "Hi Kim");
	const char *tpl = "{{#v}}yes{{/v}}";
	expect(tpl, "{\"v\":true}", "yes");
	expect(tpl, "{\"v\":\"text\"}", "yes");
	expect(tpl, "{\"v\":1}", "yes");
	expect(tpl, "{\"v\":false}", "");
	expect(tpl, "{\"v\":null}", "");
	expect(tpl, "{\"v\":\"\"}", "");
	expect(tpl, "{\"v\":0}", "");
	expect(tpl, "{\"v\":[]}", "");
	expect(tpl, "{}", "");
	/* a truthy scalar pushes nothing: names still resolve from the enclosing object */
	expect("{{#flag}}{{name}}{{/flag}}", "{\"flag\":true,\"name\":\"outer\"}", "outer");
}

static void test_inverted_sections(void **state)
{
	(void)state;
	const char *tpl = "{{^items}}none{{/items}}";
	expect(tpl, "{\"items\":[]}", "none");
	expect(tpl, "{}", "none");
	expect(tpl, "{\"items\":false}", "none");
	expect(tpl, "{\"items\":\"\"}", "none");
	expect(tpl, "{\"items\":[1]}", "");
	expect(tpl, "{\"items\":true}", "");
	expect("{{#items}}{{.}},{{/items}}{{^items}}empty{{/items}}", "{\"items\":[1,2]}", "1,2,");
}

static void test_names_resolve_outwards(void **state)
{
	(void)state;
	const char *ctx = "{\"title\":\"T\",\"org\":{\"name\":\"A\"},"
			  "\"items\":[{\"n\":\"a\"},{\"n\":\"b\",\"title\":\"own\"}]}";
	expect("{{#items}}{{n}}:{{title}};{{/items}}", ctx, "a:T;b:own;");
	expect("{{#items}}{{org.name}}{{/items}}", ctx, "AA");
	expect("{{#org}}{{name}}-{{title}}{{/org}}", ctx, "A-T");
	/* a dotted name found inside does not fall back outwards for its tail */
	expect("{{#items}}[{{n.x}}]{{/items}}", ctx, "[][]");
}

static void test_same_name_nested(void **state)
{
	(void)state;
	/* the closing tag is found by counting sections of the same name */
	expect("{{#a}}{{v}}{{#a}}{{v}}{{/a}}{{/a}}", "{\"a\":{\"v\":\"out\",\"a\":{\"v\":\"in\"}}}", "outin");
	expect("{{#a}}1{{^a}}never{{/a}}2{{/a}}", "{\"a\":true}", "12");
}

static void test_numbers_and_literals(void **state)
{
	(void)state;
	expect("{{n}} {{neg}} {{r}} {{big}}", "{\"n\":42,\"neg\":-7,\"r\":1.5,\"big\":9007199254740993}",
	       "42 -7 1.5 9007199254740993");
	expect("[{{t}}|{{f}}|{{z}}]", "{\"t\":true,\"f\":false,\"z\":null}", "[true||]");
	expect("{{n}}", "{\"n\":0}", "0"); /* zero is falsy for sections but still printed */
}

static void test_missing_names_render_empty(void **state)
{
	(void)state;
	expect("a{{nope}}b{{{nope}}}c", "{}", "abc");
	expect("[{{.}}]", "{\"x\":1}", "[]"); /* an object prints as nothing */
	expect("[{{obj}}|{{arr}}]", "{\"obj\":{\"a\":1},\"arr\":[1]}", "[|]");
}

static void test_comments(void **state)
{
	(void)state;
	expect("a{{! a comment with {braces} }}b", "{}", "ab");
	expect("a{{!}}b", "{}", "ab");
}

static void test_unclosed_section(void **state)
{
	(void)state;
	expect_error("{{#items}}x", "{\"items\":[1]}", AIMS_EINVAL, "not closed");
	expect_error("{{#items}}x{{/other}}", "{\"items\":[1]}", AIMS_EINVAL, "not closed");
	expect_error("{{^items}}x", "{}", AIMS_EINVAL, "not closed");
	/* even when the section would be skipped */
	expect_error("{{#items}}x", "{\"items\":[]}", AIMS_EINVAL, "not closed");
}

static void test_malformed_tags(void **state)
{
	(void)state;
	expect_error("hello {{name", "{}", AIMS_EINVAL, "unclosed");
	expect_error("{{{raw}}", "{}", AIMS_EINVAL, "unclosed");
	expect_error("x{{/items}}", "{}", AIMS_EINVAL, "unexpected");
	char long_name[300];
	memset(long_name, 'n', sizeof long_name);
	memcpy(long_name, "{{", 2);
	memcpy(long_name + sizeof long_name - 3, "}}", 3);
	expect_error(long_name, "{}", AIMS_EINVAL, "too long");
}

static void test_missing_include(void **state)
{
	(void)state;
	expect_error("{{>no-such-template.html}}", "{}", AIMS_ENOTFOUND, "not found");
}

static void test_output_cap(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	struct buf out = BUF_INIT(8);
	json_t *ctx = json_pack("{ss}", "v", "<<<<");
	const char *tpl = "ab{{v}}"; /* "ab" + 16 bytes of entities */
	int rc = tmpl_render_text(tpl, strlen(tpl), ctx, &out, &e);
	size_t len = out.len;
	json_decref(ctx);
	buf_release(&out);
	err_release(&e);
	assert_int_equal(rc, AIMS_ETOOBIG);
	assert_true(len <= 8);
}

static char *nested(const char *open, const char *close, size_t depth, const char *middle)
{
	struct buf t = BUF_INIT(1 << 22);
	for (size_t i = 0; i < depth; i++)
		assert_int_equal(buf_addstr(&t, open), 0);
	assert_int_equal(buf_addstr(&t, middle), 0);
	for (size_t i = 0; i < depth; i++)
		assert_int_equal(buf_addstr(&t, close), 0);
	return buf_detach(&t, NULL);
}

static void test_moderate_nesting_works(void **state)
{
	(void)state;
	char *t = nested("{{#a}}", "{{/a}}", 10, "x");
	expect(t, "{\"a\":true}", "x");
	expect(t, "{\"a\":[1]}", "x");
	free(t);
}

static void test_deep_self_nesting_is_bounded(void **state)
{
	(void)state;
	/* truthy scalar: no context pushed, only render depth grows */
	char *t = nested("{{#a}}", "{{/a}}", 200, "x");
	expect_error(t, "{\"a\":true}", AIMS_EINVAL, "nested too deeply");
	/* array: a context pushed per level too */
	expect_error(t, "{\"a\":[1]}", AIMS_EINVAL, "nested too deeply");
	/* a self-referencing object chain, as deep as the template */
	json_t *ctx = json_object();
	json_t *cur = ctx;
	for (int i = 0; i < 200; i++) {
		json_t *next = json_object();
		json_object_set_new(cur, "a", next);
		cur = next;
	}
	char *ctx_text = json_dumps(ctx, JSON_COMPACT);
	json_decref(ctx);
	expect_error(t, ctx_text, AIMS_EINVAL, "nested too deeply");
	free(ctx_text);
	free(t);
	/* far deeper than any stack would take if it were not bounded */
	t = nested("{{#a}}", "{{/a}}", 20000, "x");
	expect_error(t, "{\"a\":true}", AIMS_EINVAL, NULL);
	free(t);
	t = nested("{{^b}}", "{{/b}}", 20000, "x");
	expect_error(t, "{}", AIMS_EINVAL, NULL);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_triple_brace_is_raw),
		cmocka_unit_test(test_dotted_names),
		cmocka_unit_test(test_array_index),
		cmocka_unit_test(test_array_sections),
		cmocka_unit_test(test_object_and_truthy_sections),
		cmocka_unit_test(test_inverted_sections),
		cmocka_unit_test(test_names_resolve_outwards),
		cmocka_unit_test(test_same_name_nested),
		cmocka_unit_test(test_numbers_and_literals),
		cmocka_unit_test(test_missing_names_render_empty),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_unclosed_section),
		cmocka_unit_test(test_malformed_tags),
		cmocka_unit_test(test_missing_include),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_moderate_nesting_works),
		cmocka_unit_test(test_deep_self_nesting_is_bounded),
	};
	return cmocka_run_group_tests_name("tmpl", tests, NULL, NULL);
}
