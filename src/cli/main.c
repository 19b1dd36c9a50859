/*
 * main.c — `sakimori`: one binary, git-style subcommands.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sakimori/log.h"

static const struct sk_cmd commands[] = {
    {"scan", "read captures and logs offline; print sightings and detections", sk_cmd_scan},
    {"synth", "generate a labelled traffic scenario (pcap + ground truth)", sk_cmd_synth},
    {"intel", "threat intelligence: indicators, feeds, warninglists", sk_cmd_intel},
    {"bench", "micro-benchmarks of the hot paths (match, …)", sk_cmd_bench},
    {"collect", "decode telemetry (files or NetFlow/IPFIX over UDP) into events", sk_cmd_collect},
    {"pdns", "passive DNS: the names seen on an address, the addresses of a name", sk_cmd_pdns},
    {"cases", "cases: the findings and proposals about one target", sk_cmd_cases},
    {"propose", "propose a neutralization; the safeguards check it", sk_cmd_propose},
    {"approve", "approve a proposal with your signature (oversight body)", sk_cmd_approve},
    {"reject", "reject a proposal with your signature (oversight body)", sk_cmd_reject},
    {"revoke", "end an active action now", sk_cmd_revoke},
    {"actions", "proposals and actions: list, show, tick (expiry), reconcile", sk_cmd_actions},
    {"audit", "the audit log: verify, prove, export, transparency report, purge", sk_cmd_audit},
    {"keygen", "make an Ed25519 key pair (approvers, signed advisories)", sk_cmd_keygen},
    {"sign", "sign a file or a verdict with your Ed25519 key", sk_cmd_sign},
    {"verify", "check a signature made by sakimori sign", sk_cmd_verify},
    {"act", "action plugins: check, dry run, RPZ primary, sinkhole, notify, takedown", sk_cmd_act},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: sakimori [--version] [--help] COMMAND [ARGS]\n"
            "\n"
            "sakimori — active cyber defence: sense, detect, decide under oversight,\n"
            "act, share, account.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "Every command takes --help, --config PATH (default ./sakimori.yaml, then\n"
            "/etc/sakimori/sakimori.yaml) and --json.\n"
            "Exit status: 0 success, 1 findings or refusal, 2 usage or input error.\n");
}

int sk_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "sakimori %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'sakimori %s --help'.\n", cmd);
    return SK_EXIT_ERROR;
}

int sk_cli_fail(const char *cmd, int err, const struct sk_errinfo *ei)
{
    if (ei && ei->msg[0])
        fprintf(stderr, "sakimori %s: %s\n", cmd, ei->msg);
    else
        fprintf(stderr, "sakimori %s: %s\n", cmd, sk_strerror(err));
    return SK_EXIT_ERROR;
}

struct sk_conf *sk_cli_load_conf(const char *cmd, const struct sk_cli_common *common)
{
    struct sk_errinfo ei = {""};
    struct sk_conf *c;
    int rc = sk_conf_load(common->config, &c, &ei);

    if (rc < 0) {
        sk_cli_fail(cmd, rc, &ei);
        return NULL;
    }
    sk_log_set_level((enum sk_log_level)c->log.level);
    sk_log_set_json(c->log.json);
    return c;
}

int sk_cli_progress_ok(const struct sk_cli_common *common)
{
    return !common->quiet && isatty(STDERR_FILENO);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return SK_EXIT_ERROR;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return SK_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("sakimori %s\n", SK_VERSION);
        return SK_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "sakimori: '%s' is not a command. See 'sakimori --help'.\n", argv[1]);
    return SK_EXIT_ERROR;
}
