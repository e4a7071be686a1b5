/*
 * fair_libcsv.c: how fast libcsv (the parser of the inventory import) only reads
 * the benchmark file: fields and records counted, nothing computed. If this alone
 * were near our full fairness run, our own reader would not be worth having.
 *
 *   fair_libcsv FILE    prints "records fields"
 */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long long fields, records;

static void on_field(void *s, size_t len, void *data)
{
	(void)s;
	(void)len;
	(void)data;
	fields++;
}

static void on_record(int c, void *data)
{
	(void)c;
	(void)data;
	records++;
}

int main(int argc, char **argv)
{
	struct csv_parser p;
	struct stat st;
	if (argc != 2)
		return 2;
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0)
		return 1;
	const char *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (data == MAP_FAILED || csv_init(&p, CSV_STRICT | CSV_APPEND_NULL) != 0)
		return 1;
	size_t chunk = (size_t)8 << 20;
	for (size_t off = 0; off < (size_t)st.st_size; off += chunk) {
		size_t n = (size_t)st.st_size - off < chunk ? (size_t)st.st_size - off : chunk;
		if (csv_parse(&p, data + off, n, on_field, on_record, NULL) != n) {
			fprintf(stderr, "libcsv: %s\n", csv_strerror(csv_error(&p)));
			return 1;
		}
		madvise((void *)(data + off), n & ~(size_t)4095, MADV_DONTNEED);
	}
	csv_fini(&p, on_field, on_record, NULL);
	csv_free(&p);
	printf("%llu %llu\n", records, fields);
	return 0;
}
