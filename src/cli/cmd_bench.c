/*
 * cmd_bench.c — `sakimori bench SUBCOMMAND`: micro-benchmarks of hot paths.
 *
 * A dispatcher over a table of subcommands, one line each (a subsystem adds
 * its own benchmark in its own file, with a line here and a prototype in
 * cli.h). Timings are printed, never asserted: a benchmark is not a test.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct sk_cmd bench_cmds[] = {
    {"match", "indicator matching: build time, lookups/s per type, peak RSS", sk_cmd_bench_match},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: sakimori bench SUBCOMMAND [ARGS]\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof bench_cmds / sizeof bench_cmds[0]; i++)
        fprintf(out, "  %-10s %s\n", bench_cmds[i].name, bench_cmds[i].summary);
    fprintf(out, "\nEach subcommand takes --help. Results: docs/PERFORMANCE.md.\n");
}

int sk_cmd_bench(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return SK_EXIT_ERROR;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return SK_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof bench_cmds / sizeof bench_cmds[0]; i++)
        if (!strcmp(argv[1], bench_cmds[i].name))
            return bench_cmds[i].run(argc - 1, argv + 1);
    fprintf(stderr, "sakimori bench: '%s' is not a subcommand. See 'sakimori bench --help'.\n",
            argv[1]);
    return SK_EXIT_ERROR;
}
