/*
 * json_write.c: see json_write.h. Escapes as jansson does: \" \\ \b \f \n \r \t, other
 * control bytes as \u00XX (upper-case hex), and "/" left alone; reals as jansson
 * prints them (see the JSON_REAL case).
 */
#include "base/json_write.h"
#include "base/err.h"

#include <stdbool.h>

#include <stdio.h>
#include <string.h>

static int write_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = buf_addch(b, '"');
	size_t start = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rc = buf_add(b, s + start, i - start);
		start = i + 1;
		if (rc)
			break;
		switch (c) {
		case '"': rc = buf_add(b, "\\\"", 2); break;
		case '\\': rc = buf_add(b, "\\\\", 2); break;
		case '\b': rc = buf_add(b, "\\b", 2); break;
		case '\f': rc = buf_add(b, "\\f", 2); break;
		case '\n': rc = buf_add(b, "\\n", 2); break;
		case '\r': rc = buf_add(b, "\\r", 2); break;
		case '\t': rc = buf_add(b, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			rc = buf_add(b, u, sizeof u);
		}
		}
	}
	if (!rc)
		rc = buf_add(b, s + start, n - start);
	if (!rc)
		rc = buf_addch(b, '"');
	return rc;
}

int json_write(struct buf *b, const json_t *v)
{
	int rc = 0;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *item;
		bool first = true;
		rc = buf_addch(b, '{');
		json_object_foreach((json_t *)v, key, item) {
			if (!rc && !first)
				rc = buf_addch(b, ',');
			first = false;
			if (!rc)
				rc = write_string(b, key, strlen(key));
			if (!rc)
				rc = buf_addch(b, ':');
			if (!rc)
				rc = json_write(b, item);
			if (rc)
				break;
		}
		return rc ? rc : buf_addch(b, '}');
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *item;
		rc = buf_addch(b, '[');
		json_array_foreach(v, i, item) {
			if (!rc && i)
				rc = buf_addch(b, ',');
			if (!rc)
				rc = json_write(b, item);
			if (rc)
				break;
		}
		return rc ? rc : buf_addch(b, ']');
	}
	case JSON_STRING:
		return write_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return buf_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case JSON_REAL: {
		/* as jansson: %.17g, ".0" when it would read as an integer, exponent without
		 * "+" and leading zeros ("1e+300" → "1e300", "1e-05" → "1e-5") */
		char num[40], out[40];
		size_t k = 0;
		snprintf(num, sizeof num, "%.17g", json_real_value(v));
		for (const char *p = num; *p && k < sizeof out - 3; p++) {
			if (*p == 'e') {
				out[k++] = 'e';
				if (p[1] == '+')
					p++;
				else if (p[1] == '-')
					out[k++] = *++p;
				while (p[1] == '0' && p[2])
					p++;
				continue;
			}
			out[k++] = *p;
		}
		out[k] = '\0';
		if (!strpbrk(out, ".e"))
			memcpy(out + k, ".0", 3);
		return buf_addstr(b, out);
	}
	case JSON_TRUE:
		return buf_add(b, "true", 4);
	case JSON_FALSE:
		return buf_add(b, "false", 5);
	case JSON_NULL:
		return buf_add(b, "null", 4);
	}
	return AIMS_EINVAL;
}
