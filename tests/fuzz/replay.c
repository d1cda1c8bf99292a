/*
 * Replay driver: runs a libFuzzer target's entry point over files named on
 * the command line, without libFuzzer, so any compiler with the sanitizers
 * can re-check the committed corpus in `make check`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int i, failed = 0;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *data;
		long size;

		if (f == NULL || fseek(f, 0, SEEK_END) != 0 ||
		    (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
			perror(argv[i]);
			if (f != NULL)
				fclose(f);
			failed++;
			continue;
		}
		/* An exact-size heap copy lets ASan catch one-byte overreads.
		 */
		data = malloc(size > 0 ? (size_t)size : 1);
		if (data == NULL ||
		    fread(data, 1, (size_t)size, f) != (size_t)size) {
			perror(argv[i]);
			failed++;
		} else {
			LLVMFuzzerTestOneInput(data, (size_t)size);
		}
		free(data);
		fclose(f);
	}
	return failed ? 1 : 0;
}
