/*
 * fair_gen.c: writes the fairness benchmark's CSV of predictions to stdout.
 *
 *   fair_gen ROWS SEED > preds.csv
 *
 * Columns: applicant_id,sex,age_band,region,y_true,y_pred,score. 2 x 5 x 8 groups
 * of unequal sizes; regions include quoted names with a comma ("Gyeonggi, north")
 * and Korean text; base rates and selection rates differ by group, so every
 * disparity is non-zero; the score has four decimals and y_pred is score >= 0.5.
 * The same ROWS and SEED always give the same bytes (splitmix64).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state;

static uint64_t next(void)
{
	uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double uniform(void)
{
	return (double)(next() >> 11) * 0x1.0p-53;
}

int main(int argc, char **argv)
{
	static const char *const sexes[] = { "F", "M" };
	static const char *const ages[] = { "18-29", "30-39", "40-49", "50-64", "65+" };
	static const double age_weight[] = { 0.22, 0.26, 0.22, 0.2, 0.1 };
	static const char *const regions[] = { "Seoul", "Busan", "\"Gyeonggi, north\"", "\"Gyeonggi, south\"",
					       "Incheon", "Daegu", "강원", "제주" };
	static char out[1 << 16];
	if (argc != 3) {
		fprintf(stderr, "usage: fair_gen ROWS SEED\n");
		return 2;
	}
	long long rows = strtoll(argv[1], NULL, 10);
	state = strtoull(argv[2], NULL, 10);
	setvbuf(stdout, out, _IOFBF, sizeof out);
	fputs("applicant_id,sex,age_band,region,y_true,y_pred,score\n", stdout);
	for (long long i = 0; i < rows; i++) {
		int sex = uniform() < 0.52 ? 0 : 1;
		double u = uniform(), acc = 0;
		int age = 4;
		for (int k = 0; k < 5; k++) {
			acc += age_weight[k];
			if (u < acc) {
				age = k;
				break;
			}
		}
		int region = (int)(uniform() * uniform() * 8); /* skewed towards Seoul */
		double base = 0.3 + 0.08 * sex + 0.03 * age - 0.02 * (region % 3);
		int y = uniform() < base;
		double s = 0.25 + 0.35 * y + 0.05 * sex - 0.02 * age + 0.3 * (uniform() - 0.5) + 0.15 * (uniform() - 0.5);
		s = s < 0 ? 0 : s > 1 ? 1 : s;
		int score = (int)(s * 10000 + 0.5);
		int p = score >= 5000;
		printf("%lld,%s,%s,%s,%d,%d,%d.%04d\n", 100000000LL + i, sexes[sex], ages[age], regions[region], y, p,
		       score / 10000, score % 10000);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
