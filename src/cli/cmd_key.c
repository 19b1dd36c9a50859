/*
 * cmd_key.c — `sakimori keygen`, `sakimori sign`, `sakimori verify`:
 * Ed25519 keys for approvers and signed files (advisories).
 *
 * File signatures are domain-separated: what is signed is
 *   "sakimori-file-signature-v1\0" ‖ SHA-256(file)
 * never the file's raw bytes, so no file an approver is asked to sign can
 * ever be mistaken for an approval or a tree head (those have prefixes of
 * their own). `sign --approval` makes an approval signature on a machine
 * that holds no store (air-gapped approvers); `approve --signature` takes it.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/govcli.h"
#include "sakimori/file.h"
#include "sakimori/key.h"

#define FILE_SIG_MAGIC "sakimori-file-signature-v1" /* + NUL = 27 bytes */
#define SIGNED_FILE_MAX (1u << 30)

static int file_message(const char *path, uint8_t msg[27 + 32], struct sk_errinfo *ei)
{
    char *data = NULL;
    size_t len;
    int rc;

    if ((rc = sk_read_file(path, SIGNED_FILE_MAX, &data, &len, ei)) < 0)
        return rc;
    memcpy(msg, FILE_SIG_MAGIC, 27);
    crypto_hash_sha256(msg + 27, (const uint8_t *)data, len);
    free(data);
    return 0;
}

static void keygen_help(void)
{
    printf("usage: sakimori keygen --name NAME --out FILE [--force] [--json]\n"
           "\n"
           "Makes an Ed25519 key pair. The secret key goes to FILE, readable by you\n"
           "alone (mode 0600, written atomically); an existing FILE is never replaced\n"
           "unless --force. The public key is printed as the line to add to the\n"
           "configuration's govern.approvers:\n"
           "\n"
           "  alice ed25519:6yGm…=\n"
           "\n"
           "options:\n"
           "  -n, --name NAME    the key holder's name (letters, digits, . _ - @)\n"
           "  -o, --out FILE     where to write the secret key\n"
           "      --force        replace FILE if it exists\n"
           "      --json         print name, public_key, key_id, file as JSON\n"
           "  -h, --help         this help\n"
           "\n"
           "exit status: 0 written, 2 usage or input error\n");
}

int sk_cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'}, {"out", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},      {"json", no_argument, NULL, 'j'},
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *name = NULL, *out = NULL;
    int force = 0, json = 0, c, rc;
    char pub[SK_KEY_PUBLIC_TEXT], id[SK_KEY_ID_TEXT];
    struct sk_errinfo ei = {""};
    struct sk_key k;

    optind = 1;
    while ((c = getopt_long(argc, argv, "n:o:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': name = optarg; break;
        case 'o': out = optarg; break;
        case 'f': force = 1; break;
        case 'j': json = 1; break;
        case 'c': break;
        case 'h': keygen_help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("keygen", "unknown option");
        }
    }
    if (!name || !out || optind != argc)
        return sk_cli_usage_error("keygen", "--name and --out are required");
    if ((rc = sk_key_generate(&k, name, &ei)) < 0 || (rc = sk_key_write_secret(&k, out, force, &ei)) < 0) {
        sk_key_wipe(&k);
        return sk_cli_fail("keygen", rc, &ei);
    }
    sk_key_format_public(k.pub, pub, sizeof pub);
    sk_key_id(k.pub, id, sizeof id);
    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", k.name, "public_key", pub, "key_id",
                              id, "file", out);
        sk_govcli_print_json(o);
        json_decref(o);
    } else {
        printf("%s %s\n", k.name, pub);
        fprintf(stderr, "keygen: secret key written to %s (mode 0600); key id %s\n", out, id);
    }
    sk_key_wipe(&k);
    return SK_EXIT_OK;
}

static void sign_help(void)
{
    printf("usage: sakimori sign --key FILE [--out SIG] INPUT\n"
           "       sakimori sign --key FILE --approval --digest HEX --verdict V [--note TEXT]\n"
           "\n"
           "Signs INPUT with the Ed25519 secret key in FILE and prints the detached\n"
           "signature (base64), or writes it to SIG. What is signed is\n"
           "\"sakimori-file-signature-v1\\0\" followed by SHA-256(INPUT).\n"
           "\n"
           "With --approval, signs a verdict on a proposal instead, for approvers who\n"
           "keep their key on a machine without the store: DIGEST is the proposal's\n"
           "digest (sakimori actions show ID), V is approve, exigent or reject, and\n"
           "NOTE the reason or justification exactly as it will be submitted with\n"
           "sakimori approve|reject ID --approver NAME --signature SIG --note NOTE.\n"
           "\n"
           "options:\n"
           "  -k, --key FILE     secret key file (sakimori keygen)\n"
           "  -o, --out SIG      write the signature to SIG instead of stdout\n"
           "      --approval     sign a verdict (with --digest, --verdict, --note)\n"
           "      --json         print signature and key id as JSON\n"
           "  -h, --help         this help\n"
           "\n"
           "exit status: 0 signed, 2 usage or input error\n");
}

int sk_cmd_sign(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},    {"out", required_argument, NULL, 'o'},
        {"approval", no_argument, NULL, 'A'},     {"digest", required_argument, NULL, 'D'},
        {"verdict", required_argument, NULL, 'V'}, {"note", required_argument, NULL, 'N'},
        {"json", no_argument, NULL, 'j'},         {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},         {0},
    };
    const char *keyfile = NULL, *out = NULL, *digest_hex = NULL, *verdict = NULL, *note = "";
    int approval = 0, json = 0, c, rc;
    uint8_t sig[SK_KEY_SIG_BYTES], digest[32];
    char text[SK_KEY_SIG_TEXT], id[SK_KEY_ID_TEXT];
    struct sk_errinfo ei = {""};
    struct sk_key k;

    optind = 1;
    while ((c = getopt_long(argc, argv, "k:o:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': keyfile = optarg; break;
        case 'o': out = optarg; break;
        case 'A': approval = 1; break;
        case 'D': digest_hex = optarg; break;
        case 'V': verdict = optarg; break;
        case 'N': note = optarg; break;
        case 'j': json = 1; break;
        case 'c': break;
        case 'h': sign_help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("sign", "unknown option");
        }
    }
    if (!keyfile)
        return sk_cli_usage_error("sign", "--key is required");
    if (approval) {
        int v;
        if (!digest_hex || sk_unhex(digest_hex, digest, 32) < 0)
            return sk_cli_usage_error("sign", "--approval needs --digest with 64 hex digits");
        if (!verdict || (v = sk_govern_verdict_parse(verdict)) < 0)
            return sk_cli_usage_error("sign", "--verdict: expected approve, exigent or reject");
        if (optind != argc)
            return sk_cli_usage_error("sign", "--approval takes no INPUT");
        if ((rc = sk_key_load_secret(&k, keyfile, &ei)) < 0)
            return sk_cli_fail("sign", rc, &ei);
        uint8_t msg[SK_GOV_APPROVAL_MSG_LEN];
        sk_govern_approval_message(digest, (enum sk_gov_verdict)v, note, msg);
        sk_key_sign(&k, msg, sizeof msg, sig);
    } else {
        uint8_t msg[27 + 32];
        if (optind + 1 != argc)
            return sk_cli_usage_error("sign", "exactly one INPUT file");
        if ((rc = file_message(argv[optind], msg, &ei)) < 0)
            return sk_cli_fail("sign", rc, &ei);
        if ((rc = sk_key_load_secret(&k, keyfile, &ei)) < 0)
            return sk_cli_fail("sign", rc, &ei);
        sk_key_sign(&k, msg, sizeof msg, sig);
    }
    sk_key_sig_format(sig, text, sizeof text);
    sk_key_id(k.pub, id, sizeof id);
    sk_key_wipe(&k);
    if (out) {
        char line[SK_KEY_SIG_TEXT + 2];
        int n = snprintf(line, sizeof line, "%s\n", text);
        if ((rc = sk_write_file_atomic(out, line, (size_t)n, &ei)) < 0)
            return sk_cli_fail("sign", rc, &ei);
    } else if (json) {
        json_t *o = json_pack("{s:s, s:s, s:s}", "signature", text, "key_id", id, "signer", k.name);
        sk_govcli_print_json(o);
        json_decref(o);
    } else {
        printf("%s\n", text);
    }
    return SK_EXIT_OK;
}

static void verify_help(void)
{
    printf("usage: sakimori verify --pubkey KEY --sig SIG INPUT\n"
           "\n"
           "Checks a detached signature made by sakimori sign. KEY is \"ed25519:…\",\n"
           "\"NAME ed25519:…\" (as keygen prints it) or a file holding either; SIG is\n"
           "the base64 signature or a file holding it.\n"
           "\n"
           "options:\n"
           "  -p, --pubkey KEY   the signer's public key\n"
           "  -s, --sig SIG      the signature\n"
           "      --json         print the result as JSON\n"
           "  -h, --help         this help\n"
           "\n"
           "exit status: 0 valid, 1 invalid, 2 usage or input error\n");
}

/* A value given inline or in a file (first line). */
static int inline_or_file(const char *arg, char *out, size_t len)
{
    char *text = NULL;
    size_t n;

    if (sk_read_file(arg, 4096, &text, &n, NULL) == 0) {
        char *nl = strpbrk(text, "\r\n");
        if (nl)
            *nl = '\0';
        snprintf(out, len, "%s", text);
        free(text);
        return 0;
    }
    snprintf(out, len, "%s", arg);
    return 0;
}

int sk_cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"pubkey", required_argument, NULL, 'p'}, {"sig", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},         {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},         {0},
    };
    const char *pubarg = NULL, *sigarg = NULL;
    char pubtext[256], sigtext[256], name[SK_KEY_NAME_MAX];
    uint8_t pub[SK_KEY_PUBLIC_BYTES], sig[SK_KEY_SIG_BYTES], msg[27 + 32];
    struct sk_errinfo ei = {""};
    int json = 0, c, rc, ok;

    optind = 1;
    while ((c = getopt_long(argc, argv, "p:s:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': pubarg = optarg; break;
        case 's': sigarg = optarg; break;
        case 'j': json = 1; break;
        case 'c': break;
        case 'h': verify_help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("verify", "unknown option");
        }
    }
    if (!pubarg || !sigarg || optind + 1 != argc)
        return sk_cli_usage_error("verify", "--pubkey, --sig and one INPUT are required");
    inline_or_file(pubarg, pubtext, sizeof pubtext);
    inline_or_file(sigarg, sigtext, sizeof sigtext);
    if (sk_key_parse_public(pubtext, pub) < 0 &&
        sk_key_parse_named_public(pubtext, name, pub, NULL) < 0)
        return sk_cli_usage_error("verify", "--pubkey: expected ed25519:<base64> or NAME ed25519:<base64>");
    if (sk_key_sig_parse(sigtext, sig) < 0)
        return sk_cli_usage_error("verify", "--sig: expected a base64 Ed25519 signature (88 characters)");
    if ((rc = file_message(argv[optind], msg, &ei)) < 0)
        return sk_cli_fail("verify", rc, &ei);
    ok = sk_key_verify(pub, msg, sizeof msg, sig) == 0;
    if (json) {
        json_t *o = json_pack("{s:b, s:s}", "valid", ok, "file", argv[optind]);
        sk_govcli_print_json(o);
        json_decref(o);
    } else {
        printf("%s: %s\n", argv[optind], ok ? "signature valid" : "signature INVALID");
    }
    return ok ? SK_EXIT_OK : SK_EXIT_FINDINGS;
}
