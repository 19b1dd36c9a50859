/*
 * schema.c — the store's schema as a list of forward migrations.
 *
 * migrations[i] moves a database from user_version i to i + 1. Each runs in
 * its own transaction together with the user_version bump, so a crash leaves
 * the database at one version or the next, never between. Never edit a
 * migration that has shipped; add a new one.
 */
#include <stddef.h>

#include "store/store-int.h"

const char *const sk__store_migrations[] = {
    /* 0 → 1: scan runs, findings, the monitor watchlist */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  command TEXT NOT NULL,"
    "  inputs TEXT NOT NULL,"
    "  started_ns INTEGER NOT NULL,"
    "  finished_ns INTEGER,"
    "  events INTEGER,"
    "  findings INTEGER);"
    "CREATE TABLE findings ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER REFERENCES runs(id),"
    "  type TEXT NOT NULL CHECK (type IN ('sighting', 'detection')),"
    "  ts_first_ns INTEGER NOT NULL,"
    "  ts_last_ns INTEGER NOT NULL,"
    "  src_ip TEXT, src_port INTEGER,"
    "  dst_ip TEXT, dst_port INTEGER,"
    "  proto INTEGER,"
    "  name TEXT,"
    "  ind_value TEXT, ind_type TEXT, ind_source TEXT, ind_confidence INTEGER,"
    "  count INTEGER NOT NULL,"
    "  analyzer TEXT, score REAL, evidence TEXT,"
    "  privacy TEXT NOT NULL);"
    "CREATE INDEX findings_dst ON findings(dst_ip);"
    "CREATE INDEX findings_ind ON findings(ind_value);"
    "CREATE INDEX findings_run ON findings(run_id);"
    "CREATE TABLE watchlist ("
    "  target TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  action_id INTEGER,"
    "  added_ns INTEGER NOT NULL,"
    "  not_after_ns INTEGER);",
    /* 1 → 2: passive DNS and stored telemetry (src/store/telemetry.c).
     * Addresses are 16-byte BLOBs (IPv4-mapped for IPv4) so a prefix is one
     * BETWEEN range; rname holds a name's labels reversed ("com.example.www")
     * so "a name and its subdomains" is one range too. Every table has a
     * time column for retention purges by age. */
    "CREATE TABLE pdns ("
    "  name TEXT NOT NULL,"
    "  rname TEXT NOT NULL,"
    "  addr BLOB NOT NULL,"
    "  first_ns INTEGER NOT NULL,"
    "  last_ns INTEGER NOT NULL,"
    "  count INTEGER NOT NULL,"
    "  PRIMARY KEY (name, addr)) WITHOUT ROWID;"
    "CREATE INDEX pdns_addr ON pdns(addr, last_ns);"
    "CREATE INDEX pdns_rname ON pdns(rname);"
    "CREATE INDEX pdns_last ON pdns(last_ns);"
    "CREATE TABLE flow_log ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER REFERENCES runs(id),"
    "  source_id INTEGER NOT NULL,"
    "  ts_ns INTEGER NOT NULL,"
    "  end_ns INTEGER NOT NULL,"
    "  src BLOB NOT NULL, sport INTEGER NOT NULL,"
    "  dst BLOB NOT NULL, dport INTEGER NOT NULL,"
    "  proto INTEGER NOT NULL,"
    "  pkts_out INTEGER NOT NULL, bytes_out INTEGER NOT NULL,"
    "  pkts_in INTEGER NOT NULL, bytes_in INTEGER NOT NULL,"
    "  tcp_flags INTEGER NOT NULL,"
    "  end_reason INTEGER NOT NULL);"
    "CREATE INDEX flow_log_ts ON flow_log(ts_ns);"
    "CREATE INDEX flow_log_src ON flow_log(src, ts_ns);"
    "CREATE INDEX flow_log_dst ON flow_log(dst, ts_ns);"
    "CREATE TABLE dns_log ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER REFERENCES runs(id),"
    "  source_id INTEGER NOT NULL,"
    "  ts_ns INTEGER NOT NULL,"
    "  client BLOB NOT NULL, server BLOB NOT NULL,"
    "  proto INTEGER NOT NULL,"
    "  qname TEXT, rname TEXT,"
    "  qtype INTEGER NOT NULL,"
    "  response INTEGER NOT NULL,"
    "  rcode INTEGER,"
    "  answers INTEGER NOT NULL);"
    "CREATE INDEX dns_log_ts ON dns_log(ts_ns);"
    "CREATE INDEX dns_log_rname ON dns_log(rname, ts_ns);"
    "CREATE INDEX dns_log_client ON dns_log(client, ts_ns);"
    "CREATE TABLE tls_log ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER REFERENCES runs(id),"
    "  source_id INTEGER NOT NULL,"
    "  ts_ns INTEGER NOT NULL,"
    "  client BLOB NOT NULL, sport INTEGER NOT NULL,"
    "  server BLOB NOT NULL, dport INTEGER NOT NULL,"
    "  sni TEXT, rsni TEXT, alpn TEXT,"
    "  client_version INTEGER, server_version INTEGER,"
    "  ja3 TEXT, ja3s TEXT, ja4 TEXT,"
    "  cert_sha1 TEXT, cert_sha256 TEXT);"
    "CREATE INDEX tls_log_ts ON tls_log(ts_ns);"
    "CREATE INDEX tls_log_rsni ON tls_log(rsni, ts_ns);"
    "CREATE INDEX tls_log_server ON tls_log(server, ts_ns);"
    "CREATE TABLE http_log ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER REFERENCES runs(id),"
    "  source_id INTEGER NOT NULL,"
    "  ts_ns INTEGER NOT NULL,"
    "  client BLOB NOT NULL, sport INTEGER NOT NULL,"
    "  server BLOB NOT NULL, dport INTEGER NOT NULL,"
    "  method TEXT, host TEXT, rhost TEXT, uri TEXT, user_agent TEXT,"
    "  status INTEGER);"
    "CREATE INDEX http_log_ts ON http_log(ts_ns);"
    "CREATE INDEX http_log_rhost ON http_log(rhost, ts_ns);"
    "CREATE INDEX http_log_server ON http_log(server, ts_ns);",
    /* 2 → 3: act (issue 7): what the network actions hold, the RPZ policy and the
     * zones sakimori serves, takedown reports, sinkhole victims */
    "CREATE TABLE act_entries ("
    "  kind TEXT NOT NULL,"             /* rpz | nft | bgp */
    "  key TEXT NOT NULL,"              /* what it is held on: name, *.domain, prefix */
    "  action_id INTEGER NOT NULL,"
    "  variant TEXT NOT NULL DEFAULT '',"
    "  not_after_ns INTEGER NOT NULL DEFAULT 0,"
    "  seq INTEGER NOT NULL,"           /* order of application: the latest wins */
    "  applied_ns INTEGER NOT NULL,"
    "  PRIMARY KEY (kind, key, action_id)) WITHOUT ROWID;"
    "CREATE INDEX act_entries_kind ON act_entries(kind, seq);"
    "CREATE TABLE act_kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE act_rpz_policy ("     /* versioned: a base generation is a version */
    "  zone TEXT NOT NULL,"             /* allow | main */
    "  owner TEXT NOT NULL,"            /* trigger name: evil.example, *.evil.example */
    "  rrs TEXT NOT NULL,"              /* 'CNAME .', 'A 127.0.0.1;AAAA ::1' */
    "  added_v INTEGER NOT NULL,"
    "  removed_v INTEGER);"             /* NULL while live */
    "CREATE INDEX act_rpz_policy_owner ON act_rpz_policy(zone, owner);"
    "CREATE INDEX act_rpz_policy_added ON act_rpz_policy(zone, added_v);"
    "CREATE TABLE act_rpz_zone ("       /* what each incrementally kept zone holds */
    "  zone TEXT NOT NULL,"             /* u:allow u:delta (served) b:allow b:delta (BIND) */
    "  owner TEXT NOT NULL,"
    "  rrs TEXT NOT NULL,"
    "  PRIMARY KEY (zone, owner)) WITHOUT ROWID;"
    "CREATE TABLE act_rpz_journal ("    /* the IXFR history of the served zones */
    "  zone TEXT NOT NULL,"
    "  serial INTEGER NOT NULL,"        /* the version this change leads to */
    "  seq INTEGER NOT NULL,"
    "  op INTEGER NOT NULL,"            /* 0 delete, 1 add */
    "  owner TEXT NOT NULL,"
    "  rrs TEXT NOT NULL,"
    "  PRIMARY KEY (zone, serial, seq)) WITHOUT ROWID;"
    "CREATE TABLE act_rpz_basegen ("    /* base zone serial -> policy version it holds */
    "  serial INTEGER PRIMARY KEY,"
    "  version INTEGER NOT NULL,"
    "  written_ns INTEGER NOT NULL);"
    "CREATE TABLE act_takedown ("
    "  id INTEGER PRIMARY KEY,"
    "  action_id INTEGER NOT NULL,"
    "  target TEXT NOT NULL,"
    "  contact TEXT,"                   /* handle in the contact database */
    "  email TEXT,"
    "  status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'withdrawn')),"
    "  outcome TEXT,"                   /* taken-down | refused | no-response | … */
    "  created_ns INTEGER NOT NULL,"
    "  closed_ns INTEGER,"
    "  json_path TEXT, eml_path TEXT,"
    "  UNIQUE (action_id, target));"
    "CREATE TABLE act_sinkhole_hits ("
    "  id INTEGER PRIMARY KEY,"
    "  ts_ns INTEGER NOT NULL,"
    "  victim TEXT NOT NULL, victim_port INTEGER NOT NULL,"
    "  proto INTEGER NOT NULL,"
    "  local TEXT NOT NULL, local_port INTEGER NOT NULL,"
    "  name TEXT,"                      /* HTTP Host or TLS SNI when seen */
    "  via TEXT NOT NULL);"             /* http | tls | tcp | udp */
    "CREATE INDEX act_sinkhole_hits_ts ON act_sinkhole_hits(ts_ns);"
    "CREATE TABLE act_notifications ("
    "  id INTEGER PRIMARY KEY,"
    "  operator TEXT NOT NULL,"
    "  created_ns INTEGER NOT NULL,"
    "  since_ns INTEGER NOT NULL, until_ns INTEGER NOT NULL,"
    "  victims INTEGER NOT NULL,"
    "  json_path TEXT NOT NULL, eml_path TEXT NOT NULL);",
    /* 3 → 4: govern + audit (issue 6): cases, proposals, approvals, the action
     * runner's journal, the Merkle audit log and its signed tree heads */
    "CREATE TABLE gov_cases ("
    "  id INTEGER PRIMARY KEY,"
    "  title TEXT NOT NULL,"
    "  target TEXT,"
    "  created_ns INTEGER NOT NULL,"
    "  created_by TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')));"
    "CREATE TABLE gov_case_findings ("
    "  case_id INTEGER NOT NULL REFERENCES gov_cases(id),"
    "  finding_id INTEGER NOT NULL,"
    "  PRIMARY KEY (case_id, finding_id)) WITHOUT ROWID;"
    "CREATE TABLE gov_proposals ("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER REFERENCES gov_cases(id),"
    "  state TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'approved', 'active',"
    "    'provisional', 'reverted', 'failed', 'rejected')),"
    "  target TEXT NOT NULL,"
    "  target_kind TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  scope TEXT NOT NULL,"
    "  ttl_ns INTEGER NOT NULL,"
    "  legal_basis TEXT NOT NULL,"
    "  evidence TEXT NOT NULL,"          /* JSON array of references */
    "  proposer TEXT NOT NULL,"
    "  renews INTEGER REFERENCES gov_proposals(id),"
    "  created_ns INTEGER NOT NULL,"
    "  submitted_ns INTEGER,"
    "  foreign_target INTEGER,"
    "  approvals_needed INTEGER,"
    "  safeguards TEXT,"                 /* the report approvers sign */
    "  canonical TEXT,"                  /* the exact text the digest covers */
    "  digest BLOB,"
    "  exigent INTEGER NOT NULL DEFAULT 0,"
    "  decided_ns INTEGER,"
    "  activated_ns INTEGER,"
    "  not_after_ns INTEGER,"
    "  ratify_by_ns INTEGER,"
    "  ended_ns INTEGER,"
    "  end_reason TEXT,"
    "  false_positive INTEGER NOT NULL DEFAULT 0,"
    "  first_seen_ns INTEGER);"          /* earliest evidence: first detection */
    "CREATE INDEX gov_proposals_state ON gov_proposals(state);"
    "CREATE INDEX gov_proposals_target ON gov_proposals(target);"
    "CREATE TABLE gov_approvals ("
    "  id INTEGER PRIMARY KEY,"
    "  proposal_id INTEGER NOT NULL REFERENCES gov_proposals(id),"
    "  approver TEXT NOT NULL,"
    "  verdict TEXT NOT NULL CHECK (verdict IN ('approve', 'exigent', 'reject')),"
    "  key_id TEXT NOT NULL,"
    "  digest BLOB NOT NULL,"
    "  signature BLOB NOT NULL,"
    "  note TEXT NOT NULL DEFAULT '',"   /* reason or exigent justification */
    "  signed_ns INTEGER NOT NULL,"
    "  UNIQUE (proposal_id, approver));"
    "CREATE TABLE gov_runs ("             /* the action runner's intent journal */
    "  id INTEGER PRIMARY KEY,"
    "  proposal_id INTEGER NOT NULL REFERENCES gov_proposals(id),"
    "  op TEXT NOT NULL CHECK (op IN ('apply', 'verify', 'revert')),"
    "  plugin TEXT NOT NULL,"
    "  owner_pid INTEGER NOT NULL,"       /* the process running it */
    "  started_ns INTEGER NOT NULL,"
    "  finished_ns INTEGER,"
    "  outcome TEXT CHECK (outcome IN ('ok', 'error')),"  /* NULL: in flight */
    "  error TEXT);"
    "CREATE INDEX gov_runs_open ON gov_runs(proposal_id, outcome);"
    "CREATE TABLE audit_log ("
    "  seq INTEGER PRIMARY KEY,"
    "  ts_ns INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  entry BLOB,"                      /* NULL once retention purged it */
    "  leaf BLOB NOT NULL);"
    "CREATE INDEX audit_log_ts ON audit_log(ts_ns);"
    "CREATE INDEX audit_log_subject ON audit_log(subject);"
    "CREATE TABLE audit_sth ("
    "  tree_size INTEGER PRIMARY KEY,"
    "  ts_ns INTEGER NOT NULL,"
    "  root BLOB NOT NULL,"
    "  key_id TEXT NOT NULL,"
    "  signature BLOB NOT NULL);"
    "CREATE TABLE audit_head ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  tree_size INTEGER NOT NULL,"
    "  frontier BLOB NOT NULL,"
    "  log_id BLOB NOT NULL);"
    "INSERT INTO audit_head VALUES (1, 0, x'', randomblob(16));",
    /* 4 → 5: intel (issue 4): indicators, their sources' assertions, imports
     * (src/intel/feed_store.c); where a sighting matched and the
     * warninglists it is on */
    "CREATE TABLE intel_sources ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  format TEXT,"                     /* of the last import */
    "  decay_half_life_ns INTEGER,"      /* NULL: intel.decay_half_life */
    "  ttl_ns INTEGER,"                  /* NULL: intel.max_age */
    "  created_ns INTEGER NOT NULL,"
    "  updated_ns INTEGER NOT NULL);"
    "CREATE TABLE indicators ("
    "  id INTEGER PRIMARY KEY,"
    "  type TEXT NOT NULL,"
    "  value TEXT NOT NULL,"             /* canonical (sk_ioc_canon) */
    "  created_ns INTEGER NOT NULL,"
    "  UNIQUE (type, value));"
    "CREATE TABLE intel_imports ("
    "  id INTEGER PRIMARY KEY,"
    "  source_id INTEGER NOT NULL REFERENCES intel_sources(id) ON DELETE CASCADE,"
    "  path TEXT NOT NULL,"
    "  format TEXT NOT NULL,"
    "  started_ns INTEGER NOT NULL,"
    "  finished_ns INTEGER,"
    "  records INTEGER, added INTEGER, updated INTEGER, removed INTEGER, skipped INTEGER);"
    "CREATE TABLE indicator_sources ("
    "  indicator_id INTEGER NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,"
    "  source_id INTEGER NOT NULL REFERENCES intel_sources(id) ON DELETE CASCADE,"
    "  confidence INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 100),"
    "  tlp TEXT,"                        /* 'clear' … 'red', NULL unmarked */
    "  valid_from_ns INTEGER, valid_until_ns INTEGER,"
    "  first_seen_ns INTEGER, last_seen_ns INTEGER,"
    "  labels TEXT,"                     /* JSON array */
    "  stix_id TEXT,"
    "  description TEXT,"
    "  import_id INTEGER REFERENCES intel_imports(id) ON DELETE SET NULL,"
    "  PRIMARY KEY (indicator_id, source_id)) WITHOUT ROWID;"
    "CREATE INDEX indicator_sources_source ON indicator_sources(source_id, import_id);"
    "ALTER TABLE findings ADD COLUMN ind_field TEXT;"
    "ALTER TABLE findings ADD COLUMN warninglists TEXT;",
    /* 5 → 6: audit (issue 6): entries are never looked up by subject in bulk, and
     * the index cost an eighth of the append path's CPU */
    "DROP INDEX audit_log_subject;",
};

const size_t sk__store_nmigrations =
    sizeof sk__store_migrations / sizeof sk__store_migrations[0];
